/**
 * Alerts and live views do not wait for the rest of the server: with a write transaction held open in another
 * database of the same PostgreSQL server (as a migration there would), a critical step that exhausts its retries
 * reaches PagerDuty (a local HTTP endpoint, through the real monitor and message delivery) within 5 s of its
 * final failure, and the live hub announces each of the run's changes within 1 s of it.
 *
 * The held transaction is meant to last 60 s; the test ends as soon as its assertions hold and then rolls it back.
 * It first shows that the transaction does hold back the server's snapshot xmin for the whole test — the horizon
 * the old dispatcher waited for — so its length cannot matter to a mechanism that never reads that horizon.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
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
import { createLiveHub, type LiveHub } from '@/lib/live/hub';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { waitFor } from '@/tests/setup/wait';
import { createMessageDelivery, type MessageDelivery } from './delivery';
import { createPipelineMonitor } from './monitor';
import { createPagerDutyClient } from './pagerduty-client';
import { startCaptureServer, type CaptureServer } from './testing/capture-server';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const HOLD_MS = 60_000;

const doomed = definePipeline({
  namespace: 'data_pipeline',
  name: 'doomed_while_busy',
  version: '1',
  description: 'a critical step that never succeeds',
  input: z.object({}),
  steps: [
    {
      name: 'extract_orders',
      retryLimit: 2,
      metadata: { severity: 'critical' },
      handler: async (ctx) => {
        throw new RetryableError(`orders database unreachable (attempt ${ctx.attempt})`);
      },
    },
  ],
});

const registry = createRegistry();
registry.register(doomed);

function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

describe('events while another database holds a write transaction open', () => {
  let testDb: TestDatabase;
  let capture: CaptureServer;
  let worker: Worker;
  let dispatcher: EventDispatcher;
  let delivery: MessageDelivery;
  let hub: LiveHub;
  let admin: pg.Client;
  let holder: pg.Client;
  let holdTimer: NodeJS.Timeout | undefined;
  const otherDatabase = `nightshift_other_${randomBytes(4).toString('hex')}`;
  const announced: { taskId: string; at: number }[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${otherDatabase}`);
    capture = await startCaptureServer();
    worker = createWorker({ db: testDb, registry, concurrency: 2, leaseMs: 5_000, heartbeatMs: 500, pollIntervalMs: 200, backoff: { baseMs: 400, capMs: 800 }, logger: quiet });
    delivery = createMessageDelivery({
      db: testDb,
      slackWebhookUrl: `${capture.url}/slack`,
      pagerDuty: createPagerDutyClient({ eventsUrl: `${capture.url}/pagerduty`, routingKey: 'test-routing-key-0123456789' }),
      timeoutMs: 2_000,
      backoff: { baseMs: 50, capMs: 500 },
      maxAttempts: 5,
      // The production default: the sender looks for due messages every second even when nobody wakes it.
      pollIntervalMs: 1_000,
      logger: quiet,
    });
    const monitor = createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: false, linkBaseUrl: 'https://nightshift.example', onEnqueued: () => delivery.wake() });
    // The production poll interval, so nothing here is faster than a deployment.
    dispatcher = createEventDispatcher({ db: testDb, subscribers: [monitor], pollIntervalMs: 1_000, logger: quiet });
    hub = createLiveHub({ pool: testDb.pool });
    hub.subscribe((message) => {
      if (message.type === 'task') announced.push({ taskId: message.taskId, at: Date.now() });
    });
    await waitFor('the live hub to listen', async () => hub.isListening());
  });

  afterAll(async () => {
    if (holdTimer) clearTimeout(holdTimer);
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await hub?.close();
    await dispatcher?.stop();
    await delivery?.stop();
    await worker?.stop({ graceMs: 1_000 });
    await capture?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${otherDatabase} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    await testDb?.drop();
  });

  it('pages within 5 s of the final failure and announces every change within 1 s', async () => {
    holder = new pg.Client({ connectionString: databaseUrl(inject('adminUrl'), otherDatabase) });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('CREATE TABLE migration_in_progress (id int)');
    const held = await holder.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    const heldXid = BigInt(held.rows[0]!.xid);
    const heldSince = Date.now();
    holdTimer = setTimeout(() => void holder.query('ROLLBACK').catch(() => undefined), HOLD_MS);

    const horizonHeld = async () => {
      const row = await testDb.pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      return BigInt(row.rows[0]!.xmin) <= heldXid;
    };
    // The other database's transaction holds this database's horizon back too.
    expect(await horizonHeld()).toBe(true);

    await worker.start();
    await dispatcher.start();
    delivery.start();
    const { taskId } = await launchTask(testDb, registry, { namespace: 'data_pipeline', name: 'doomed_while_busy', context: {}, initiator: 'test' });

    const trigger = await waitFor(
      'the PagerDuty trigger',
      async () => capture.accepted.find((post) => post.path === '/pagerduty' && (post.body as { event_action?: string }).event_action === 'trigger'),
      20_000,
    );
    const final = await testDb.pool.query<{ finishedAt: Date; attempts: number }>(
      `SELECT max(finished_at) AS "finishedAt", count(*)::int AS attempts FROM step_attempts WHERE task_id = $1`,
      [taskId],
    );
    expect(final.rows[0]!.attempts).toBe(3);
    const pagedAfterMs = trigger.receivedAt - final.rows[0]!.finishedAt.getTime();
    expect(pagedAfterMs).toBeGreaterThanOrEqual(0);
    expect(pagedAfterMs).toBeLessThan(5_000);
    expect(trigger.body).toMatchObject({ dedup_key: `step_failed:${taskId}:extract_orders` });

    // Every change of the run — each attempt's start, each retry, the failure, the task's start and failure —
    // was announced to live views within 1 s of the transaction that made it.
    const changes = await testDb.pool.query<{ name: string; createdAt: Date }>(
      `SELECT name, created_at AS "createdAt" FROM task_events WHERE task_id = $1 ORDER BY id`,
      [taskId],
    );
    expect(changes.rows.map((row) => row.name)).toEqual([
      'task.started',
      'step.started',
      'step.retrying',
      'step.started',
      'step.retrying',
      'step.started',
      'step.failed',
      'task.failed',
    ]);
    for (const change of changes.rows) {
      const at = change.createdAt.getTime();
      const seen = announced.find((message) => message.taskId === taskId && message.at >= at && message.at - at < 1_000);
      expect(seen, `${change.name} announced within 1 s`).toBeDefined();
    }

    // All of it happened while the other database's transaction was open and holding the horizon.
    expect(await horizonHeld()).toBe(true);
    const stillOpen = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND backend_xid IS NOT NULL AND state = 'idle in transaction'`, [otherDatabase]);
    expect(stillOpen.rowCount).toBe(1);
    expect(Date.now() - heldSince).toBeLessThan(HOLD_MS);
  }, 70_000);
});

