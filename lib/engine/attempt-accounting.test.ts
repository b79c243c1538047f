/**
 * Infrastructure failures do not spend a step's retry budget: a worker killed with SIGKILL eight times in a row
 * (each time the step is taken over by the next worker) leaves the step completing on the same run with eight
 * "lost" attempts and its budget untouched; a step that kills its own worker every time stops at the lost-attempt
 * cap with a clear final error. Real worker processes, real SIGKILL, real PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { launchTask } from '@/lib/engine';
import { createChildWorkers } from './test-fixtures/child-workers';
import { waitFor, waitForTaskStatus } from './test-fixtures/harness';
import { buildTestRegistry, KILLS_BEFORE_SUCCESS } from './test-fixtures/pipelines';

let testDb: TestDatabase;
const children = createChildWorkers();
const registry = buildTestRegistry();
const fastWorker = { TEST_LEASE_MS: '1000', TEST_HEARTBEAT_MS: '200', TEST_POLL_MS: '200' };

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await children.killAll();
});
afterAll(async () => {
  await children.killAll();
  await testDb.drop();
});

async function stepRow(taskId: string) {
  const rows = await testDb.pool.query<{ status: string; attemptCount: number; budgetAttempts: number; lostAttempts: number; lastError: { class: string; message: string } | null }>(
    `SELECT status, attempt_count AS "attemptCount", budget_attempts AS "budgetAttempts", lost_attempts AS "lostAttempts", last_error AS "lastError"
       FROM steps WHERE task_id = $1`,
    [taskId],
  );
  return rows.rows[0]!;
}

async function outcomes(taskId: string): Promise<string[]> {
  const rows = await testDb.pool.query<{ outcome: string }>(`SELECT outcome FROM step_attempts WHERE task_id = $1 ORDER BY attempt_number`, [taskId]);
  return rows.rows.map((row) => row.outcome);
}

describe('attempt accounting across real worker processes', () => {
  it(`completes a step whose worker is SIGKILLed ${KILLS_BEFORE_SUCCESS} times in a row, without spending its retry budget`, async () => {
    const { taskId } = await launchTask(testDb, registry, { namespace: 'test', name: 'victim', context: {}, initiator: 'test' });
    for (let kill = 1; kill <= KILLS_BEFORE_SUCCESS; kill += 1) {
      const child = children.spawn(testDb.url, `victim-${kill}`, fastWorker);
      await child.ready;
      await waitFor(`attempt ${kill} to run on worker ${kill}`, async () => {
        const step = await stepRow(taskId);
        return step.status === 'running' && step.attemptCount === kill;
      }, 20_000);
      child.process.kill('SIGKILL');
      await child.exited;
    }
    children.spawn(testDb.url, 'survivor', fastWorker);
    await waitForTaskStatus(testDb, taskId, ['completed'], 30_000);

    expect(await outcomes(taskId)).toEqual([...Array<string>(KILLS_BEFORE_SUCCESS).fill('lost'), 'completed']);
    const step = await stepRow(taskId);
    // retryLimit is 1: had the lost attempts counted, the step would have failed after the second kill.
    expect(step).toMatchObject({ status: 'completed', budgetAttempts: 1, lostAttempts: KILLS_BEFORE_SUCCESS });
  }, 120_000);

  it('stops a step that kills its own worker every time at the lost-attempt cap, with a clear final error', async () => {
    const { taskId } = await launchTask(testDb, registry, { namespace: 'test', name: 'suicidal', context: {}, initiator: 'test' });
    const cap = 3;
    for (let spawned = 1; spawned <= cap + 3; spawned += 1) {
      const child = children.spawn(testDb.url, `doomed-${spawned}`, { ...fastWorker, TEST_MAX_LOST_ATTEMPTS: String(cap) });
      const failed = waitForTaskStatus(testDb, taskId, ['failed'], 20_000).then(() => true);
      if (await Promise.race([child.exited.then(() => false), failed])) break;
    }
    await waitForTaskStatus(testDb, taskId, ['failed'], 5_000);
    expect(await outcomes(taskId)).toEqual(Array<string>(cap + 1).fill('lost'));
    const step = await stepRow(taskId);
    expect(step.status).toBe('failed');
    expect(step.lastError?.class).toBe('LostAttemptLimitError');
    expect(step.lastError?.message).toMatch(/lost its worker 4 times \(the cap is 3\)/);
    const failedEvent = await testDb.pool.query<{ payload: { error: { class: string } } }>(
      `SELECT payload FROM task_events WHERE task_id = $1 AND name = 'step.failed'`,
      [taskId],
    );
    expect(failedEvent.rows[0]?.payload.error.class).toBe('LostAttemptLimitError');
  }, 120_000);
});
