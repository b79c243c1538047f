/**
 * Run retention (RUN_RETENTION_DAYS): finished runs older than the period are deleted whole — task, steps, attempts,
 * events with their deliveries, operations — in batches of short transactions; young runs, unfinished runs, runs
 * whose events still wait for a delivery and runs a hold keeps are not; claims go on while a batch holds its
 * locks; a second purge finds nothing.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask, purgeHistory, purgeRunBatch } from '@/lib/engine';
import { seedFinishedHistory } from './test-fixtures/history';
import { makeWorkerFactory, waitForTaskStatus } from './test-fixtures/harness';
import type { Logger } from './types';

let testDb: TestDatabase;
const workers = makeWorkerFactory();

const threeSteps = definePipeline({
  namespace: 'retention',
  name: 'three_steps',
  version: '1',
  description: 'a, then b and c in parallel',
  input: z.object({}),
  steps: [
    { name: 'a', handler: async () => ({ ok: true }) },
    { name: 'b', dependsOn: 'a', handler: async () => ({ ok: true }) },
    { name: 'c', dependsOn: 'a', handler: async () => ({ ok: true }) },
  ],
});
const registry = createRegistry();
registry.register(threeSteps);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
beforeEach(async () => {
  await testDb.pool.query('TRUNCATE tasks, task_events, event_subscribers CASCADE');
});
afterEach(async () => {
  await workers.stopAll();
});
afterAll(async () => {
  await testDb.drop();
});

/**
 * `count` finished runs (seedFinishedHistory: 3 steps, half failed with attempts), each with a task.completed event
 * and an operation, created and finished `ageDays` ago. Returns their ids, oldest first.
 */
async function seedRuns(count: number, ageDays: number): Promise<string[]> {
  await seedFinishedHistory(testDb.pool, threeSteps, count);
  // The fixture creates its runs 30 days ago plus one minute per run; move them to ageDays ago plus that minute.
  const { rows } = await testDb.pool.query<{ id: string }>(
    `UPDATE tasks SET initiator = 'aged history',
                      created_at = created_at + interval '30 days' - make_interval(days => $1),
                      started_at = started_at + interval '30 days' - make_interval(days => $1),
                      completed_at = completed_at + interval '30 days' - make_interval(days => $1),
                      updated_at = completed_at + interval '30 days' - make_interval(days => $1)
      WHERE initiator = 'history' RETURNING id`,
    [ageDays],
  );
  const ids = rows.map((row) => row.id).sort();
  await testDb.pool.query(
    `INSERT INTO task_events (task_id, name, payload, created_at)
     SELECT id, 'task.completed', '{}', completed_at FROM tasks WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  await testDb.pool.query(
    `INSERT INTO task_operations (task_id, operation, actor, affected_steps)
     SELECT id, 'retry', 'test', '{b}' FROM tasks WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  await testDb.pool.query('UPDATE event_fanout SET last_event_id = (SELECT coalesce(max(id), 0) FROM task_events) WHERE id = 1');
  return ids;
}

/** Rows left in every table that hangs off the given runs. */
async function rowsOf(taskIds: string[]) {
  const { rows: [counts] = [] } = await testDb.pool.query<{ tasks: number; steps: number; attempts: number; events: number; operations: number }>(
    `SELECT (SELECT count(*)::int FROM tasks WHERE id = ANY ($1::uuid[])) AS tasks,
            (SELECT count(*)::int FROM steps WHERE task_id = ANY ($1::uuid[])) AS steps,
            (SELECT count(*)::int FROM step_attempts WHERE task_id = ANY ($1::uuid[])) AS attempts,
            (SELECT count(*)::int FROM task_events WHERE task_id = ANY ($1::uuid[])) AS events,
            (SELECT count(*)::int FROM task_operations WHERE task_id = ANY ($1::uuid[])) AS operations`,
    [taskIds],
  );
  if (!counts) throw new Error('the count query returned no row');
  return counts;
}

function recordingLogger(): Logger & { batches: number[] } {
  const batches: number[] = [];
  const ignore = () => undefined;
  return {
    batches,
    debug: ignore,
    warn: ignore,
    error: ignore,
    info: (fields, message) => {
      if (message.startsWith('purged a batch of finished runs')) batches.push(Number(fields.runs));
    },
  };
}

describe('run retention', () => {
  it('deletes old finished runs whole, in batches, and keeps young, unfinished and recently finished ones', async () => {
    const old = await seedRuns(2_300, 120);
    const young = await seedRuns(200, 40);
    // Two old runs are not finished, one finished again yesterday after an operator retry.
    const [running, pending, revived] = old;
    await testDb.pool.query(`UPDATE tasks SET status = 'running', completed_at = NULL WHERE id = $1`, [running]);
    await testDb.pool.query(`UPDATE tasks SET status = 'pending', completed_at = NULL, started_at = NULL WHERE id = $1`, [pending]);
    await testDb.pool.query(`UPDATE tasks SET completed_at = now() - interval '1 day' WHERE id = $1`, [revived]);
    const kept = [running!, pending!, revived!, ...young];
    const doomed = old.slice(3);
    expect(await rowsOf(doomed)).toEqual({ tasks: 2_297, steps: 3 * 2_297, attempts: expect.any(Number), events: 2_297, operations: 2_297 });
    const keptBefore = await rowsOf(kept);

    const logger = recordingLogger();
    const purged = await purgeHistory(testDb.pool, { retentionDays: 365, runRetentionDays: 100, runBatchSize: 1_000, logger });

    expect(purged).toEqual({ runs: 2_297, events: 0, attempts: 0 });
    expect(logger.batches).toEqual([1_000, 1_000, 297]);
    expect(await rowsOf(doomed)).toEqual({ tasks: 0, steps: 0, attempts: 0, events: 0, operations: 0 });
    expect(await rowsOf(kept)).toEqual(keptBefore);
    expect(keptBefore).toMatchObject({ tasks: 203, steps: 3 * 203, events: 203, operations: 203 });

    // Idempotent: nothing left to purge, nothing else touched.
    expect(await purgeHistory(testDb.pool, { retentionDays: 365, runRetentionDays: 100 })).toEqual({ runs: 0, events: 0, attempts: 0 });
    expect(await rowsOf(kept)).toEqual(keptBefore);
  });

  it('keeps a run whose events the fan-out has not reached or whose delivery is not done, and a run a hold keeps', async () => {
    const [delivered, undelivered, dead, unfannedOut, held] = await seedRuns(5, 120);
    await testDb.pool.query(`INSERT INTO event_subscribers (name, events) VALUES ('probe', '{task.completed}')`);
    await testDb.pool.query(
      `INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name, delivered_at, dead_at)
       SELECT 'probe', e.id, e.task_id, e.name,
              CASE WHEN e.task_id = $1 THEN now() END, CASE WHEN e.task_id = $3 THEN now() END
         FROM task_events e WHERE e.task_id = ANY (ARRAY[$1, $2, $3]::uuid[])`,
      [delivered, undelivered, dead],
    );
    // An event the fan-out has not passed yet: written after the mark (seedRuns set it to the newest event).
    await testDb.pool.query(`INSERT INTO task_events (task_id, name, payload) VALUES ($1, 'task.noted', '{}')`, [unfannedOut]);
    await testDb.pool.query(`CREATE TABLE retention_probe_holds (task_id uuid PRIMARY KEY)`);
    await testDb.pool.query(`INSERT INTO retention_probe_holds VALUES ($1)`, [held]);

    const purged = await purgeHistory(testDb.pool, {
      retentionDays: 365,
      runRetentionDays: 100,
      runHolds: [{ name: 'a probe row', keepsRun: 'EXISTS (SELECT 1 FROM retention_probe_holds h WHERE h.task_id = t.id)' }],
    });

    expect(purged.runs).toBe(1);
    expect((await rowsOf([delivered!])).tasks).toBe(0);
    expect(await rowsOf([undelivered!, dead!, unfannedOut!, held!])).toMatchObject({ tasks: 4, steps: 12, events: 5 });
    const { rows: deliveries } = await testDb.pool.query(`SELECT 1 FROM event_deliveries WHERE task_id = $1`, [delivered]);
    expect(deliveries).toHaveLength(0);
  });

  it('never blocks claims: a run starts and finishes while a purge batch holds its locks, and a second purge skips them', async () => {
    const old = await seedRuns(1_000, 120);
    const locker = await testDb.pool.connect();
    try {
      await locker.query('BEGIN');
      expect(await purgeRunBatch(locker, { runRetentionDays: 100, runBatchSize: 1_000 })).toMatchObject({ runs: 1_000 });

      await workers.start(testDb, registry, { concurrency: 4, pollIntervalMs: 100 });
      const started = performance.now();
      const { taskId } = await launchTask(testDb, registry, { namespace: 'retention', name: 'three_steps', context: {}, initiator: 'test' });
      // Every claim, completion and the task's finish ran while the batch's transaction was open.
      expect(await waitForTaskStatus(testDb, taskId, ['completed'], 10_000)).toBe('completed');
      expect(performance.now() - started).toBeLessThan(10_000);

      // A purge in another process meanwhile skips the locked runs instead of waiting for them.
      const otherProcess = await testDb.pool.connect();
      try {
        await otherProcess.query(`SET lock_timeout = '1s'`);
        expect(await purgeRunBatch(otherProcess, { runRetentionDays: 100 })).toMatchObject({ runs: 0 });
      } finally {
        otherProcess.release();
      }
      await locker.query('COMMIT');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
    expect((await rowsOf(old)).tasks).toBe(0);
  });

  it('skips a run whose task row an operation holds, and takes it on the next pass', async () => {
    const [busy, idle] = await seedRuns(2, 120);
    const operator = await testDb.pool.connect();
    try {
      await operator.query('BEGIN');
      await operator.query('SELECT 1 FROM tasks WHERE id = $1 FOR NO KEY UPDATE', [busy]);
      const started = performance.now();
      expect(await purgeHistory(testDb.pool, { retentionDays: 365, runRetentionDays: 100 })).toMatchObject({ runs: 1 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect((await rowsOf([idle!])).tasks).toBe(0);
      expect((await rowsOf([busy!])).tasks).toBe(1);
      await operator.query('COMMIT');
    } finally {
      operator.release();
    }
    expect(await purgeHistory(testDb.pool, { retentionDays: 365, runRetentionDays: 100 })).toMatchObject({ runs: 1 });
    expect((await rowsOf([busy!])).tasks).toBe(0);
  });
});
