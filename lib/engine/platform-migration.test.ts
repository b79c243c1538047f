/**
 * Migrations 0025–0026 upgrade a database with a run in flight: a task launched before ancestor results and maps
 * (no `ancestors` on its steps, no definition hash) finishes after the upgrade on the graph it pinned, each step
 * still reading its direct dependencies' results; a run launched after the upgrade reads ancestors and maps.
 */
import pg from 'pg';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { createDatabaseBefore, type DatabaseBefore } from './test-fixtures/database-before';
import { makeWorkerFactory, waitForTaskStatus } from './test-fixtures/harness';

let old: DatabaseBefore;
let db: DbHandle | undefined;
const workers = makeWorkerFactory();

beforeAll(async () => {
  old = await createDatabaseBefore('0025_engine_pipeline_platform');
});
afterAll(async () => {
  await workers.stopAll();
  await db?.close();
  await old?.drop();
});

const seen: Record<string, unknown> = {};

/** The pipeline as deployed both before and after the upgrade: a → b → c, c reading a as an ancestor. */
const etl = definePipeline({
  namespace: 'm',
  name: 'etl',
  version: '1',
  description: 'a → b → c',
  input: z.object({}),
  steps: [
    { name: 'a', handler: async () => ({ rows: 3 }) },
    { name: 'b', dependsOn: 'a', handler: async (ctx) => ((seen.b = { ...ctx.results }), { kept: 2 }) },
    { name: 'c', dependsOn: 'b', handler: async (ctx) => ((seen[`c:${ctx.taskId}`] = Object.keys(ctx.results).sort()), { done: true }) },
  ],
});

describe('upgrading to ancestor results and maps with a run in flight', () => {
  it('the old run finishes on its pinned graph; a new run reads ancestors', async () => {
    const before = new pg.Client({ connectionString: old.url });
    await before.connect();
    let inFlight = '';
    try {
      // As the engine of 0024 left it: a completed, b ready, c waiting for b.
      inFlight = (
        await before.query<{ id: string }>(
          `INSERT INTO tasks (namespace, name, version, status, context, initiator, unfinished_steps, started_at)
           VALUES ('m', 'etl', '1', 'running', '{}', 'test', 2, now()) RETURNING id`,
        )
      ).rows[0]!.id;
      const step = (name: string, position: number, status: string, dependsOn: string[], dependents: string[], waitingFor: number, result: unknown) =>
        before.query(
          `INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, status, retryable, retry_limit, result)
           SELECT $1, $2, $3, $4, $5, $6, 'm/etl@1', t.created_at, $7, true, 3, $8::jsonb FROM tasks t WHERE t.id = $1`,
          [inFlight, name, position, dependsOn, dependents, waitingFor, status, JSON.stringify(result)],
        );
      await step('a', 0, 'completed', [], ['b'], 0, { rows: 3 });
      await step('b', 1, 'pending', ['a'], ['c'], 0, null);
      await step('c', 2, 'pending', ['b'], [], 1, null);
    } finally {
      await before.end();
    }

    await old.migrateToLatest();
    db = createPool(old.url, { max: 8 });
    const registry = createRegistry();
    registry.register(etl);
    await workers.start(db, registry);
    await waitForTaskStatus(db, inFlight, ['completed']);
    expect(seen.b).toEqual({ a: { rows: 3 } });
    // Its rows pinned direct dependencies only: c gets b's result, as it would have before the upgrade.
    expect(seen[`c:${inFlight}`]).toEqual(['b']);
    const pinned = await db.pool.query<{ hash: string }>(`SELECT definition_hash AS hash FROM tasks WHERE id = $1`, [inFlight]);
    expect(pinned.rows[0]?.hash).toBe('');

    const fresh = await launchTask(db, registry, { namespace: 'm', name: 'etl', context: {}, initiator: 'test' });
    await waitForTaskStatus(db, fresh.taskId, ['completed']);
    expect(seen[`c:${fresh.taskId}`]).toEqual(['a', 'b']);
  });
});
