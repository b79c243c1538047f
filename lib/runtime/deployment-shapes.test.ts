/**
 * Every deployment shape alerts, with real processes: a critical step of customer_analytics fails for good (its CRM
 * answers 404) and PagerDuty is paged exactly once, while the Slack notices — the #executive-alerts message and the
 * step notices — arrive once each. PagerDuty and Slack are a local HTTP server standing in for both.
 *
 * - Split: the web runtime with RUN_WORKERS=false plus one `npm run worker`. The web side is the web process's
 *   start-up without Next's HTTP layer (lib/runtime/testing/web-runtime-process.ts: instrumentation.ts's register(),
 *   which starts lib/runtime/web.ts), so no production build is needed; every attempt must run on the npm worker.
 * - Workers only: two `npm run worker` processes and no web at all. Two of them, so that two event dispatchers and
 *   two delivery loops compete for the same events and messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getTask, launchTask } from '@/lib/engine';
import { startCaptureServer, type CaptureServer } from '@/lib/monitoring/testing/capture-server';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { sleep, waitFor } from '@/tests/setup/wait';
import { buildRegistry } from './registry';

const ROUTING_KEY = 'shapes-test-routing-key-0123456789';
const WEB_RUNTIME = path.join(import.meta.dirname, 'testing', 'web-runtime-process.ts');

interface Started {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
}

const started: Started[] = [];

function start(name: string, command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle = { name, child, output: () => output, exited };
  started.push(handle);
  return handle;
}

async function waitUntilReady(handle: Started, marker: string) {
  await waitFor(`${handle.name} to start`, async () => {
    if (handle.child.exitCode !== null) throw new Error(`${handle.name} exited before it was ready:\n${handle.output()}`);
    return handle.output().includes(marker);
  }, 45_000);
}

/** SIGTERM (npm passes it on to the runtime it exec'd), SIGKILL after a while. */
async function stopAll() {
  await Promise.all(
    started.splice(0).map(async (handle) => {
      if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
      handle.child.kill('SIGTERM');
      const timer = setTimeout(() => handle.child.kill('SIGKILL'), 8_000);
      await handle.exited;
      clearTimeout(timer);
    }),
  );
}

afterEach(stopAll);

/** The same settings for every process: this test's database and capture server, quick loops, no scheduler. */
function settingsFor(db: TestDatabase, capture: CaptureServer): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    CRM_URL: `${capture.url}/crm`,
    INVENTORY_URL: `${capture.url}/inventory`,
    SLACK_WEBHOOK_URL: `${capture.url}/slack`,
    PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    PAGERDUTY_EVENTS_URL: `${capture.url}/pagerduty`,
    ALERT_STEP_NOTICES: 'true',
    ALERT_LINK_BASE_URL: 'https://nightshift.example',
    SOURCE_TIMEOUT_MS: '2000',
    SCHEDULER_ENABLED: 'false',
    WORKER_POLL_MS: '200',
    WORKER_BACKOFF_BASE_MS: '20',
    WORKER_BACKOFF_CAP_MS: '200',
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    EVENT_POLL_MS: '200',
    ALERT_DELIVERY_POLL_MS: '100',
    ALERT_DELIVERY_BACKOFF_BASE_MS: '50',
  };
}

const startNpmWorker = (name: string, env: Record<string, string>) => start(name, 'npm', ['run', 'worker'], env);
const startWebRuntime = (env: Record<string, string>) =>
  start('web (RUN_WORKERS=false)', process.execPath, ['--import', 'tsx', WEB_RUNTIME], { ...env, RUN_WORKERS: 'false', NEXT_RUNTIME: 'nodejs' });

/** The worker id a `npm run worker` logged on start. */
function workerIdOf(handle: Started): string {
  const line = handle.output().split('\n').find((entry) => entry.includes('standalone worker running'));
  const workerId = line ? (JSON.parse(line) as { workerId?: string }).workerId : undefined;
  if (!workerId) throw new Error(`${handle.name} logged no worker id:\n${handle.output()}`);
  return workerId;
}

const textOf = (body: Record<string, unknown>) => JSON.stringify(body);

/**
 * Launches a run whose extract_users (critical) fails for good, waits for the run to fail and the page to arrive,
 * lets every dispatcher and delivery loop go round many more times, and returns what was sent and where steps ran.
 */
async function failCriticalStep(db: TestDatabase, capture: CaptureServer) {
  const { taskId } = await launchTask(db, buildRegistry(), {
    namespace: 'data_pipeline',
    name: 'customer_analytics',
    context: { date_range: { start_date: '2026-01-01', end_date: '2026-01-07' } },
    initiator: 'test',
  });
  const failedAt = await waitFor('the run to fail', async () => ((await getTask(db, taskId))?.status === 'failed' ? Date.now() : undefined), 30_000);
  const dedupKey = `step_failed:${taskId}:extract_users`;
  const pagedAt = await waitFor('the page', async () => capture.accepted.find((post) => post.path === '/pagerduty' && post.body.dedup_key === dedupKey)?.receivedAt, 15_000);
  const isExecutiveAlert = (body: Record<string, unknown>) => body.channel === '#executive-alerts' && textOf(body).includes('(extract_users)');
  await waitFor('the #executive-alerts message', async () => capture.slack().some(isExecutiveAlert), 15_000);
  // Far more than the dispatchers' and delivery loops' polls (200 and 100 ms): a second page would have come by now.
  await sleep(2_500);
  const task = await getTask(db, taskId);
  return {
    taskId,
    pageLatencyMs: pagedAt - failedAt,
    // Each shape has its own database and capture server: everything captured is this run's.
    pages: capture.pagerDuty(),
    executiveAlerts: capture.slack().filter((body) => body.channel === '#executive-alerts'),
    notices: capture.slack().filter((body) => body.channel === '#data-pipeline-status').map((body) => textOf(body)),
    steps: Object.fromEntries((task?.steps ?? []).map((step) => [step.name, step.status])),
    attemptWorkers: new Set((task?.steps ?? []).flatMap((step) => step.attempts.map((attempt) => attempt.workerId))),
  };
}

function expectPagedOnceWithNotices(outcome: Awaited<ReturnType<typeof failCriticalStep>>) {
  expect(outcome.steps.extract_users).toBe('failed');
  // extract_orders (the other critical step) completes on the empty orders table: only extract_users pages.
  expect(outcome.pages).toHaveLength(1);
  expect(outcome.pages[0]).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: `step_failed:${outcome.taskId}:extract_users` });
  expect(outcome.executiveAlerts).toHaveLength(1);
  expect(textOf(outcome.executiveAlerts[0] ?? {})).toContain('(extract_users)');
  // Step notices: each one once, however many processes deliver events.
  const starting = outcome.notices.filter((text) => text.includes('Starting: extract_users'));
  expect(starting).toHaveLength(1);
  expect(new Set(outcome.notices).size).toBe(outcome.notices.length);
  expect(outcome.notices.some((text) => text.includes('Completed: extract_orders'))).toBe(true);
}

describe('every deployment shape alerts (real processes)', () => {
  it('web with RUN_WORKERS=false plus one `npm run worker`: pages once, Slack notices arrive', async () => {
    const db = await createTestDatabase();
    const capture = await startCaptureServer();
    try {
      const settings = settingsFor(db, capture);
      const web = startWebRuntime(settings);
      const worker = startNpmWorker('npm run worker', settings);
      await Promise.all([waitUntilReady(web, 'web runtime ready'), waitUntilReady(worker, 'standalone worker running')]);
      expect(web.output()).toContain('web runtime ready worker=no');

      const outcome = await failCriticalStep(db, capture);
      expectPagedOnceWithNotices(outcome);
      // The web ran no step: every attempt was the npm worker's.
      expect([...outcome.attemptWorkers]).toEqual([workerIdOf(worker)]);
      console.log(`[shapes] web + worker: paged ${outcome.pageLatencyMs} ms after the run failed`);
    } finally {
      await stopAll();
      await capture.close();
      await db.drop();
    }
  }, 60_000);

  it('workers only (two `npm run worker`, no web): pages once, Slack notices arrive', async () => {
    const db = await createTestDatabase();
    const capture = await startCaptureServer();
    try {
      const settings = settingsFor(db, capture);
      const workers = [startNpmWorker('npm run worker #1', settings), startNpmWorker('npm run worker #2', settings)];
      await Promise.all(workers.map((worker) => waitUntilReady(worker, 'standalone worker running')));

      const outcome = await failCriticalStep(db, capture);
      expectPagedOnceWithNotices(outcome);
      console.log(`[shapes] workers only: paged ${outcome.pageLatencyMs} ms after the run failed`);
    } finally {
      await stopAll();
      await capture.close();
      await db.drop();
    }
  }, 60_000);
});
