/**
 * Request durations in the production server: a page and a route handler each leave a sample in /api/metrics,
 * labelled with the route pattern (`/runs/[id]`, not the run's id), and the whole output passes promtool where it
 * is installed.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { openAsAdmin } from './fixtures';

const durationCount = (text: string, route: string, status: string) => {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`nightshift_http_request_duration_seconds_count{route="${route}",method="GET",status="${status}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

test('a page and a route handler are timed under their route patterns', async ({ page }) => {
  // Signed in (for /api/metrics); /status itself is public.
  await openAsAdmin(page, '/runs');
  await page.goto('/status');
  const unknownRun = '00000000-0000-4000-8000-000000000000';
  await page.goto(`/runs/${unknownRun}`);
  expect((await page.request.get('/status.json')).status()).toBe(200);

  const response = await page.request.get('/api/metrics');
  expect(response.status()).toBe(200);
  const text = await response.text();
  expect(durationCount(text, '/status', '200'), 'the /status page').toBeGreaterThanOrEqual(1);
  expect(durationCount(text, '/status.json', '200'), 'the /status.json route handler').toBeGreaterThanOrEqual(1);
  expect(text).toContain('nightshift_http_request_duration_seconds_count{route="/runs/[id]"');
  expect(text).not.toContain(unknownRun);
  expect(text).toMatch(/^process_cpu_seconds_total \d/m);

  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  test.skip(promtool.error !== undefined, 'promtool is not installed (apt-get install -y prometheus)');
  expect(`${promtool.stdout}${promtool.stderr}`.trim()).toBe('');
});
