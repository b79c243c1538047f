/**
 * /api/metrics over real HTTP parses as Prometheus text, and its counters move after a run (step attempts by
 * outcome, tasks by status, extracted records, step-duration histogram, HTTP durations by route pattern, the
 * process's own metrics). Access: METRICS_TOKEN or a viewer's token; anonymous → 401. /api/health/ready needs a
 * live worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventDispatcher,
  createRegistry,
  createWorker,
  definePipeline,
  launchTask,
  RetryableError,
  type EventDispatcher,
  type Logger,
  type Worker,
} from '@/lib/engine';
import { createIdentity } from '@/lib/auth/testing/identities';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type RouteModule, type TestServer } from '@/tests/setup/http';
import { waitFor } from '@/tests/setup/wait';
import { appMetrics } from './metrics';
import { createPipelineMonitor } from './monitor';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const METRICS_TOKEN = 'metrics-token-for-the-scraper-0123';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format (0.0.4): every line must be a HELP, a TYPE or a sample. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))( \d+)?$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type?.[1] && type[2]) {
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const match = sampleLine.exec(line);
    if (!match?.[1] || match[4] === undefined) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(label)) if (pair[1]) labels[pair[1]] = pair[2] ?? '';
    samples.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return { samples, types };
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

describe('/api/metrics and readiness', () => {
  let testDb: TestDatabase;
  let releaseApp: () => Promise<void>;
  let server: TestServer;
  let viewerToken: string;
  let worker: Worker | undefined;
  let dispatcher: EventDispatcher | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    releaseApp = useAppDatabase(testDb.url);
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    viewerToken = (await createIdentity(testDb.db, 'viewer')).apiToken;
    const metricsRoute = (await import('@/app/api/metrics/route')) as RouteModule;
    const readyRoute = (await import('@/app/api/health/ready/route')) as RouteModule;
    server = await serveRoutes({ '/api/metrics': metricsRoute, '/api/health/ready': readyRoute });
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await worker?.stop({ graceMs: 1_000 });
    await server?.close();
    await releaseApp?.();
    await testDb?.drop();
  });

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${METRICS_TOKEN}` }) => {
    const response = await fetch(`${server.url}/api/metrics`, { headers });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  };

  it('refuses anonymous and wrong tokens, accepts METRICS_TOKEN and viewer tokens', async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer not-the-metrics-token-at-all' })).status).toBe(401);
    const viaMetricsToken = await scrape();
    expect(viaMetricsToken.status).toBe(200);
    expect(viaMetricsToken.contentType).toContain('text/plain');
    expect((await scrape({ authorization: `Bearer ${viewerToken}` })).status).toBe(200);
  });

  it('is not ready without a live worker heartbeat', async () => {
    const response = await fetch(`${server.url}/api/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, checks: { database: 'ok', migrations: 'ok', workers: 'none' } });
  });

  it('parses as Prometheus text, and the counters move after a run', async () => {
    const before = parsePrometheus((await scrape()).text);
    for (const [name, type] of [
      ['nightshift_tasks', 'gauge'],
      ['nightshift_step_attempts_total', 'counter'],
      ['nightshift_step_duration_seconds', 'histogram'],
      ['nightshift_extraction_records', 'gauge'],
      ['nightshift_ready_steps', 'gauge'],
      ['nightshift_oldest_ready_step_age_seconds', 'gauge'],
      ['nightshift_worker_heartbeat_age_seconds', 'gauge'],
      ['nightshift_alerts_open', 'gauge'],
      ['nightshift_http_request_duration_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ] as const) {
      expect(before.types.get(name), name).toBe(type);
    }
    expect(valueOf(before.samples, 'nightshift_step_attempts_total', { step: 'extract_widgets' })).toBeUndefined();
    expect(valueOf(before.samples, 'nightshift_alerts_open', { severity: 'critical', status: 'open' })).toBe(0);

    const registry = createRegistry();
    registry.register(
      definePipeline({
        namespace: 'test',
        name: 'metrics',
        version: '1',
        description: 'one retry, then success',
        input: z.object({}),
        steps: [
          {
            name: 'extract_widgets',
            handler: async (ctx) => {
              if (ctx.attempt === 1) throw new RetryableError('widget API timed out');
              return { total_count: 42 };
            },
          },
        ],
      }),
    );
    worker = createWorker({ db: testDb, registry, concurrency: 2, leaseMs: 5_000, heartbeatMs: 500, pollIntervalMs: 100, backoff: { baseMs: 20, capMs: 100 }, logger: quiet });
    dispatcher = createEventDispatcher({
      db: testDb,
      subscribers: [createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: false, linkBaseUrl: 'http://localhost', metrics: appMetrics() })],
      pollIntervalMs: 100,
      logger: quiet,
    });
    await worker.start();
    await dispatcher.start();
    const { taskId } = await launchTask(testDb, registry, { namespace: 'test', name: 'metrics', context: {}, initiator: 'test' });

    const after = await waitFor('the run to show in the metrics', async () => {
      const parsed = parsePrometheus((await scrape()).text);
      const durations = valueOf(parsed.samples, 'nightshift_step_duration_seconds_count', { step: 'extract_widgets', outcome: 'completed' });
      return durations === 1 ? parsed : undefined;
    });
    const status = await testDb.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId]);
    expect(status.rows[0]?.status).toBe('completed');

    expect(valueOf(after.samples, 'nightshift_step_attempts_total', { step: 'extract_widgets', outcome: 'failed' })).toBe(1);
    expect(valueOf(after.samples, 'nightshift_step_attempts_total', { step: 'extract_widgets', outcome: 'completed' })).toBe(1);
    expect(valueOf(after.samples, 'nightshift_tasks', { pipeline: 'test/metrics', status: 'completed' })).toBe(1);
    expect(valueOf(after.samples, 'nightshift_extraction_records', { step: 'extract_widgets' })).toBe(42);
    expect(valueOf(after.samples, 'nightshift_step_duration_seconds_count', { step: 'extract_widgets', outcome: 'retrying' })).toBe(1);
    expect(valueOf(after.samples, 'nightshift_ready_steps')).toBe(0);
    const heartbeat = after.samples.find((sample) => sample.name === 'nightshift_worker_heartbeat_age_seconds' && sample.labels.worker === worker?.id);
    expect(heartbeat?.value).toBeGreaterThanOrEqual(0);
    expect(heartbeat?.value).toBeLessThan(30);
    const beforeHttp = valueOf(before.samples, 'nightshift_http_request_duration_seconds_count', { route: '/api/metrics', method: 'GET', status: '200' }) ?? 0;
    const afterHttp = valueOf(after.samples, 'nightshift_http_request_duration_seconds_count', { route: '/api/metrics', method: 'GET', status: '200' }) ?? 0;
    expect(afterHttp).toBeGreaterThan(beforeHttp);
    expect(valueOf(after.samples, 'nightshift_http_request_duration_seconds_count', { route: '/api/metrics', method: 'GET', status: '401' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(after.samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('labels request durations with the route pattern, never the raw path', async () => {
    // This test server serves no pages, so the page answers 404 here; the label is the page's pattern all the same.
    const runId = '7f1c6a3e-0000-4000-8000-000000000001';
    await fetch(`${server.url}/runs/${runId}`);
    await fetch(`${server.url}/nothing/here`);
    const parsed = parsePrometheus((await scrape()).text);
    expect(valueOf(parsed.samples, 'nightshift_http_request_duration_seconds_count', { route: '/runs/[id]', method: 'GET' })).toBe(1);
    expect(valueOf(parsed.samples, 'nightshift_http_request_duration_seconds_count', { route: 'other', method: 'GET' })).toBe(1);
    expect(parsed.samples.some((sample) => Object.values(sample.labels).some((value) => value.includes(runId)))).toBe(false);
  });

  it('is ready once a worker records heartbeats', async () => {
    const response = await fetch(`${server.url}/api/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', workers: 'ok', versions: 'ok' }, unservedRuns: 0 });
  });
});
