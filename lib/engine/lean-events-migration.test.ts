/**
 * Migrations 0035–0036 upgrade a database in place: a run launched before them (its waiting step outside the old
 * ready index, its events carrying the full payload) finishes after them; its old events read as stored, and the
 * events written after the upgrade store only what their row and task do not say but read the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPool, type DbHandle } from '@/db/client';
import { createRegistry, definePipeline, listTaskEvents } from '@/lib/engine';
import { createDatabaseBefore, type DatabaseBefore } from './test-fixtures/database-before';
import { makeWorkerFactory, waitForTaskStatus } from './test-fixtures/harness';

const pipeline = definePipeline({
  namespace: 'upgrade',
  name: 'two_steps',
  version: '1',
  description: 'a, then b',
  input: z.object({}),
  steps: [
    { name: 'a', handler: async () => ({ a: 1 }) },
    { name: 'b', dependsOn: 'a', handler: async () => ({ b: 2 }) },
  ],
});
const registry = createRegistry();
registry.register(pipeline);
const workers = makeWorkerFactory();

let before: DatabaseBefore;
let db: DbHandle;

beforeAll(async () => {
  before = await createDatabaseBefore('0035_engine_steps_fillfactor');
});
afterAll(async () => {
  await workers.stopAll();
  await db?.close();
  await before.drop();
});

describe('steps fillfactor, ready index and lean step events (0035–0036)', () => {
  it('finish a run launched before them, and read its old and new events alike', async () => {
    const old = createPool(before.url, { max: 2 });
    let taskId = '';
    try {
      const { rows: [task] = [] } = await old.pool.query<{ id: string; created_at: Date }>(
        `INSERT INTO tasks (namespace, name, version, status, context, initiator, unfinished_steps)
         VALUES ('upgrade', 'two_steps', '1', 'running', '{}', 'test', 2) RETURNING id, created_at`,
      );
      taskId = task!.id;
      await old.pool.query(
        `INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, status, retryable, retry_limit)
         VALUES ($1, 'a', 0, '{}', '{b}', 0, 'upgrade/two_steps@1', $2, 'pending', true, 0),
                ($1, 'b', 1, '{a}', '{}', 1, 'upgrade/two_steps@1', $2, 'pending', true, 0)`,
        [taskId, task!.created_at],
      );
      await old.pool.query(
        `INSERT INTO task_events (task_id, name, payload)
         VALUES ($1::uuid, 'task.created', jsonb_build_object('namespace', 'upgrade', 'taskName', 'two_steps', 'taskId', $1::text, 'legacy', true))`,
        [taskId],
      );
    } finally {
      await old.close();
    }

    await before.migrateToLatest();
    db = createPool(before.url, { max: 6 });
    const { rows: [index] = [] } = await db.pool.query<{ definition: string }>(`SELECT pg_get_indexdef('steps_ready_idx'::regclass) AS definition`);
    expect(index?.definition).not.toContain('waiting_for');
    const { rows: [options] = [] } = await db.pool.query<{ reloptions: string[] }>(`SELECT reloptions FROM pg_class WHERE relname = 'steps'`);
    expect(options?.reloptions).toEqual(['fillfactor=50']);

    await workers.start(db, registry, { pollIntervalMs: 100 });
    expect(await waitForTaskStatus(db, taskId, ['completed'])).toBe('completed');

    const events = await listTaskEvents(db, taskId);
    expect(events[0]).toMatchObject({ name: 'task.created', payload: { namespace: 'upgrade', taskName: 'two_steps', taskId, legacy: true } });
    const completedB = events.find((event) => event.name === 'step.completed' && event.stepName === 'b');
    expect(completedB?.payload).toMatchObject({ namespace: 'upgrade', taskName: 'two_steps', taskId, stepName: 'b', attempt: 1, resultSummary: '{"b":2}' });
    const { rows: stored } = await db.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM task_events WHERE task_id = $1 AND name IN ('step.started', 'step.completed') AND step_name = 'b' ORDER BY id`,
      [taskId],
    );
    expect(stored.map((row) => Object.keys(row.payload).sort())).toEqual([['attempt'], ['attempt', 'durationMs', 'resultSummary']]);
  });
});
