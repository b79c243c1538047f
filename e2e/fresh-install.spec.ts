/**
 * The public status page of a fresh install (this project runs before every other spec, so nothing has been
 * delivered yet): "Awaiting first delivery", not "Down"; then a backfill of a day before the install completes,
 * and the status page shows no incident and the same on-time figures.
 */
import { expect, test } from '@playwright/test';
import { pageAs, startRunViaApi, utcDay } from './console-fixtures';

interface StatusJson {
  overall: { state: string };
  incidents: unknown[];
  on_time: { last_30_days: unknown; last_90_days: unknown };
  last_delivery: unknown;
}

test('a fresh install awaits its first delivery, and a backfill of an earlier day changes nothing', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.goto('/status');
  await expect(page.getByTestId('overall-state')).toHaveAttribute('data-state', 'awaiting');
  await expect(page.getByTestId('overall-state')).toContainText('Awaiting first delivery');
  const before = (await (await page.request.get('/status.json')).json()) as StatusJson;
  expect(before.incidents).toEqual([]);

  const operator = await pageAs(browser, 'operator');
  await operator.goto('/runs');
  const taskId = await startRunViaApi(operator, utcDay(-3));
  await expect
    .poll(async () => ((await (await operator.request.get(`/analytics/status/${taskId}`)).json()) as { status: string }).status, { timeout: 90_000, intervals: [500] })
    .toBe('completed');
  const run = (await (await operator.request.get(`/analytics/status/${taskId}`)).json()) as { kind: string; outcome: string };
  expect(run).toMatchObject({ kind: 'backfill', outcome: 'published' });

  const after = (await (await page.request.get('/status.json')).json()) as StatusJson;
  expect(after.overall.state).toBe('awaiting');
  expect(after.incidents).toEqual([]);
  expect(after.on_time).toEqual(before.on_time);
  expect(after.last_delivery).toBeNull();
  await operator.context().close();
});
