/**
 * `promtool check metrics` — Prometheus's own linter (naming, suffixes, HELP and TYPE) — passes on what /api/metrics
 * serves, with samples in every family this process produces (a request observed, process metrics collected).
 * promtool comes with Debian's prometheus package (.ci/run installs it); without it this file skips and says so.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type RouteModule, type TestServer } from '@/tests/setup/http';

const METRICS_TOKEN = 'metrics-token-for-promtool-0123456789';
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;
if (!hasPromtool) console.warn('[promtool.test] promtool is not installed (apt-get install -y prometheus): skipping the metrics lint');

describe.skipIf(!hasPromtool)('promtool check metrics on /api/metrics', () => {
  let testDb: TestDatabase;
  let releaseApp: () => Promise<void>;
  let server: TestServer;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    releaseApp = useAppDatabase(testDb.url);
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    const metricsRoute = (await import('@/app/api/metrics/route')) as RouteModule;
    server = await serveRoutes({ '/api/metrics': metricsRoute });
  });

  afterAll(async () => {
    await server?.close();
    await releaseApp?.();
    await testDb?.drop();
  });

  it('finds no problem', async () => {
    const scrape = () => fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    // The first scrape is observed by the request histogram, so the second carries its samples too.
    expect((await scrape()).status).toBe(200);
    const text = await (await scrape()).text();
    expect(text).toContain('nightshift_http_request_duration_seconds_bucket{');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nightshift_slo_deliveries_due{pipeline="data_pipeline/customer_analytics",window="30d"}');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  it('would report a problem (the check is live)', () => {
    const bad = '# HELP nightshift_records_count Records.\n# TYPE nightshift_records_count gauge\nnightshift_records_count 1\n';
    const check = spawnSync('promtool', ['check', 'metrics'], { input: bad, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toContain('_count');
  });
});
