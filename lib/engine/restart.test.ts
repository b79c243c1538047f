/**
 * Acceptance 5, second half: PostgreSQL stopped and restarted mid-run. Runs its OWN embedded server (the
 * shared test server is used by other files). The "web process" here is lib/runtime's engine host (worker +
 * event dispatcher) in this process; a standalone worker runs as a child process. Both must reconnect by
 * themselves and the run must complete, with every event still delivered.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres, freePort } from '@/db/embedded';
import { runMigrations } from '@/db/migrate';
import { launchTask, type DeliveredEvent } from '@/lib/engine';
import { startEngineHost, type EngineHost } from '@/lib/runtime/engine-host';
import { createChildWorkers } from './test-fixtures/child-workers';
import { quietLogger, sleep, stepStates, taskStatus, waitFor } from './test-fixtures/harness';
import { buildTestRegistry } from './test-fixtures/pipelines';


const dataDir = path.join(os.tmpdir(), `nightshift-engine-restart-${process.pid}`);
let port = 0;
let server: EmbeddedPostgres | undefined;
let db: DbHandle | undefined;
let host: EngineHost | undefined;
const children = createChildWorkers();

const startServer = () => startEmbeddedPostgres({ dataDir, port, durable: false, database: 'restart_test' });

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  port = await freePort();
  server = await startServer();
  await runMigrations(server.url);
  db = createPool(server.url, { max: 8, applicationName: 'restart-test-web' });
});

afterAll(async () => {
  await children.killAll();
  await host?.stop({ graceMs: 500 });
  await db?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PostgreSQL restart mid-run', () => {
  it('workers and the web-process host reconnect by themselves and the run completes', async () => {
    if (!server || !db) throw new Error('setup failed');
    const url = server.url;
    const registry = buildTestRegistry();
    const delivered: DeliveredEvent[] = [];
    let unhandled: unknown;
    const onUnhandled = (reason: unknown) => (unhandled = reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      host = await startEngineHost({
        db,
        registry,
        logger: quietLogger,
        workerId: 'web-process',
        subscribers: [{ name: 'restart-probe', events: ['step.completed', 'task.completed'], handle: async (event) => void delivered.push(event) }],
        settings: {
          WORKER_CONCURRENCY: 2,
          WORKER_LEASE_MS: 10_000,
          WORKER_HEARTBEAT_MS: 300,
          WORKER_POLL_MS: 300,
          WORKER_BACKOFF_BASE_MS: 50,
          WORKER_BACKOFF_CAP_MS: 1_000,
          WORKER_SHUTDOWN_GRACE_MS: 1_000,
          WORKER_MAX_LOST_ATTEMPTS: 10,
          WORKER_MAX_RATE_LIMITED_ATTEMPTS: 20,
          EVENT_POLL_MS: 300,
          EVENT_MAX_DELIVERY_ATTEMPTS: 10,
          EVENT_DELIVERY_BACKOFF_BASE_MS: 100,
          EVENT_DELIVERY_BACKOFF_CAP_MS: 1_000,
          EVENT_RETENTION_DAYS: 30,
          RUN_RETENTION_DAYS: 100,
        },
      });
      const child = children.spawn(url, 'standalone', { TEST_LEASE_MS: '10000', TEST_HEARTBEAT_MS: '300', TEST_POLL_MS: '300' });
      await child.ready;

      const { taskId } = await launchTask(db, registry, { namespace: 'test', name: 'slow_chain', context: { stepMs: 400 }, initiator: 'test' });
      await waitFor('link_2 to run', async () => (await stepStates(db!, taskId)).link_2 === 'running', 30_000);

      await server.stop();
      await sleep(1_500);
      server = await startServer();

      await waitFor('the task to complete after the restart', async () => (await taskStatus(db!, taskId).catch(() => undefined)) === 'completed', 60_000);
      await waitFor('every event to be delivered', async () => delivered.some((event) => event.name === 'task.completed' && event.taskId === taskId), 30_000);

      const completedSteps = delivered.filter((event) => event.name === 'step.completed').map((event) => event.stepName);
      // At least once: all eight links, in order (a duplicate could only repeat one, never reorder or skip).
      expect([...new Set(completedSteps)]).toEqual(Array.from({ length: 8 }, (_, index) => `link_${index}`));
      const links = await db.pool.query<{ name: string; completed: number }>(
        `SELECT step_name AS name, count(*) FILTER (WHERE outcome = 'completed')::int AS completed
           FROM step_attempts WHERE task_id = $1 GROUP BY step_name`,
        [taskId],
      );
      expect(links.rows).toHaveLength(8);
      for (const row of links.rows) expect(row.completed).toBe(1);
      // The web process's worker and dispatcher re-created their LISTEN connections on the new server. Each reconnects
      // on its own back-off, which can trail the run's completion on a loaded machine: wait for both, do not sample once.
      const listeners = async () =>
        (
          await db!.pool.query<{ count: number }>(
            `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = 'restart-test-web' AND query LIKE 'LISTEN%'`,
          )
        ).rows[0]?.count;
      await waitFor('both LISTEN connections to be back', async () => (await listeners()) === 2, 30_000);
      expect(await listeners()).toBe(2);
      expect(child.process.exitCode, child.output()).toBeNull();
      expect(unhandled).toBeUndefined();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 120_000);
});
