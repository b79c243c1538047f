/**
 * Acceptance 2 and the first half of 5, with workers in separate processes (node --import tsx):
 * 1,000 no-op steps across 4 workers run exactly once; a worker SIGKILLed mid-step loses its lease and
 * another worker finishes the task; SIGTERM stops a worker gracefully.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { launchTask } from '@/lib/engine';
import { createChildWorkers } from './test-fixtures/child-workers';
import { attemptsOf, makeWorkerFactory, stepStates, waitFor, waitForTaskStatus } from './test-fixtures/harness';
import { buildTestRegistry, FANOUT_STEPS } from './test-fixtures/pipelines';

let testDb: TestDatabase;
const children = createChildWorkers();
const workers = makeWorkerFactory();
const registry = buildTestRegistry();

beforeAll(async () => {
  testDb = await createTestDatabase();
  await testDb.pool.query(
    `CREATE TABLE engine_test_executions (task_id uuid, step_name text, attempt int, worker_pid int, at timestamptz DEFAULT clock_timestamp())`,
  );
});
afterEach(async () => {
  await children.killAll();
  await workers.stopAll();
});
afterAll(async () => {
  await children.killAll();
  await workers.stopAll();
  await testDb.drop();
});

const launch = (name: string) => launchTask(testDb, registry, { namespace: 'test', name, context: {}, initiator: 'test' });

describe('workers in separate processes', () => {
  it('runs 1,000 steps across 4 worker processes exactly once', async () => {
    const taskCount = 1_000 / FANOUT_STEPS;
    const taskIds: string[] = [];
    for (let index = 0; index < taskCount; index += 1) taskIds.push((await launch('fanout')).taskId);

    const spawned = [1, 2, 3, 4].map((n) => children.spawn(testDb.url, `proc-${n}`, { TEST_CONCURRENCY: '8' }));
    await Promise.all(spawned.map((child) => child.ready));
    await waitFor(
      'every fanout task to complete',
      async () => {
        const done = await testDb.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM tasks WHERE status = 'completed'`);
        return done.rows[0]?.count === taskCount;
      },
      90_000,
    );

    const executions = await testDb.pool.query<{ total: number; distinct: number; processes: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT (task_id, step_name))::int AS distinct, count(DISTINCT worker_pid)::int AS processes
         FROM engine_test_executions`,
    );
    expect(executions.rows[0]).toMatchObject({ total: 1_000, distinct: 1_000 });
    const attempts = await testDb.pool.query<{ total: number; distinctSteps: number; completed: number; maxNumber: number; workers: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT step_id)::int AS "distinctSteps",
              count(*) FILTER (WHERE outcome = 'completed')::int AS completed, max(attempt_number) AS "maxNumber",
              count(DISTINCT worker_id)::int AS workers
         FROM step_attempts`,
    );
    // One attempt per step: no step was ever claimed twice, by the same or another worker.
    expect(attempts.rows[0]).toMatchObject({ total: 1_000, distinctSteps: 1_000, completed: 1_000, maxNumber: 1 });
    // The work was shared (all four usually take part; two is the robust lower bound on a loaded machine).
    expect(attempts.rows[0]!.workers).toBeGreaterThanOrEqual(2);
    expect(executions.rows[0]!.processes).toBe(attempts.rows[0]!.workers);
    const byWorker = await testDb.pool.query(`SELECT worker_id, count(*)::int FROM step_attempts GROUP BY worker_id ORDER BY worker_id`);
    console.log('[exactly once] attempts per worker:', byWorker.rows);
  }, 120_000);

  it('finishes the task on another worker after one is SIGKILLed mid-step; completed steps keep their single attempt', async () => {
    const victim = children.spawn(testDb.url, 'victim', { TEST_LEASE_MS: '1500', TEST_HEARTBEAT_MS: '300' });
    await victim.ready;
    const { taskId } = await launch('crashable');
    await waitFor('the slow step to run on the victim', async () => (await stepStates(testDb, taskId)).slow === 'running', 30_000);

    victim.process.kill('SIGKILL');
    await victim.exited;
    await workers.start(testDb, registry, { workerId: 'rescuer', leaseMs: 1_500, heartbeatMs: 300, pollIntervalMs: 300 });
    await waitForTaskStatus(testDb, taskId, ['completed'], 30_000);

    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.map((attempt) => [attempt.stepName, attempt.attemptNumber, attempt.workerId, attempt.outcome])).toEqual([
      ['first', 1, 'victim', 'completed'],
      ['last', 1, 'rescuer', 'completed'],
      ['slow', 1, 'victim', 'lost'],
      ['slow', 2, 'rescuer', 'completed'],
    ]);
    expect(attempts.find((attempt) => attempt.outcome === 'lost')?.errorClass).toBe('LeaseExpiredError');
    const budget = await testDb.pool.query(`SELECT budget_attempts FROM steps WHERE task_id = $1 AND name = 'slow'`, [taskId]);
    // The lost attempt was infrastructure, not the step: it does not spend the retry budget.
    expect(budget.rows[0]).toEqual({ budget_attempts: 1 });
  }, 60_000);

  it('stops gracefully on SIGTERM: finishes what fits in the grace period, releases the rest', async () => {
    const child = children.spawn(testDb.url, 'graceful', { TEST_GRACE_MS: '3000' });
    await child.ready;
    const { taskId } = await launch('shutdown_probe');
    await waitFor('both steps to run', async () => {
      const states = await stepStates(testDb, taskId);
      return states.finishes_in_grace === 'running' && states.hangs === 'running';
    });
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const exitMs = Date.now() - signalledAt;
    expect(exitMs).toBeGreaterThanOrEqual(1_000);
    expect(exitMs).toBeLessThan(10_000);

    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.map((attempt) => [attempt.stepName, attempt.outcome, attempt.errorClass])).toEqual([
      ['finishes_in_grace', 'completed', null],
      ['hangs', 'released', 'WorkerShutdownError'],
    ]);
    // A released attempt does not count against the retry budget; the step is immediately claimable.
    const hangs = await testDb.pool.query(`SELECT status, budget_attempts FROM steps WHERE task_id = $1 AND name = 'hangs'`, [taskId]);
    expect(hangs.rows[0]).toEqual({ status: 'retrying', budget_attempts: 0 });
    const worker = await testDb.pool.query(`SELECT stopped_at IS NOT NULL AS stopped FROM workers WHERE id = 'graceful'`);
    expect(worker.rows[0]).toEqual({ stopped: true });

    await workers.start(testDb, registry, { workerId: 'successor' });
    await waitForTaskStatus(testDb, taskId, ['completed']);
  }, 60_000);
});
