/**
 * The runs list's queries at a size given by LIST_TASKS_SCALE (skipped without it: seeding a million runs takes
 * about two minutes): `LIST_TASKS_SCALE=1000000 npx vitest run lib/engine/list-tasks-scale.test.ts`. Seeds finished
 * runs set-based (seedFinishedHistory, three steps each, half failed with a last error), then prints the p50 of
 * listTasks for the first and the deepest page and each filter, against the OFFSET query and count(*) the list used
 * before, and checks that every page reads a bounded number of index entries whatever the size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { definePipeline, listTasks, type ListTasksFilters, type TaskCursor } from '@/lib/engine';
import { taskPageQuery } from './list-tasks';
import { seedFinishedHistory } from './test-fixtures/history';

const RUNS = Number(process.env.LIST_TASKS_SCALE ?? 0);

const pipeline = definePipeline({
  namespace: 'history',
  name: 'scale',
  version: '1',
  description: 'a → b, a → c',
  input: z.object({}),
  steps: [
    { name: 'a', handler: async () => null },
    { name: 'b', dependsOn: 'a', handler: async () => null },
    { name: 'c', dependsOn: 'a', handler: async () => null },
  ],
});

interface PlanNode {
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.skipIf(RUNS === 0)(`listTasks at ${RUNS} runs`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    await seedFinishedHistory(testDb.pool, pipeline, RUNS);
    // One class most failures share, one in about a thousand.
    await testDb.pool.query(
      `UPDATE steps SET last_error = jsonb_build_object('class', CASE WHEN (extract(epoch FROM task_created_at) / 60)::bigint % 997 = 0 THEN 'RareError' ELSE 'HttpError' END)
        WHERE status = 'failed'`,
    );
    await testDb.pool.query('VACUUM ANALYZE tasks, steps');
  }, 900_000);
  afterAll(async () => {
    await testDb?.drop();
  });

  const p50 = async (samples: number, run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let round = 0; round < samples; round += 1) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(samples / 2)]!;
  };

  it('reads a bounded number of index entries per page and beats OFFSET at the deepest page', async () => {
    const { rows } = await testDb.pool.query<TaskCursor>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", id FROM tasks ORDER BY created_at, id OFFSET 20 LIMIT 1`,
    );
    const deepest = rows[0]!;
    const someId = (await testDb.pool.query<{ hex: string }>(`SELECT replace(id::text, '-', '') AS hex FROM tasks OFFSET $1 LIMIT 1`, [Math.floor(RUNS / 2)])).rows[0]!.hex;
    // A selective filter is read from its own index, all of its matches and then sorted: bounded by how many runs
    // match (about 500 here), not by the history. Every other page stops after its rows.
    const rareSteps = (await testDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM steps WHERE last_error ->> 'class' = 'RareError'`)).rows[0]!.n;
    const cases: [string, ListTasksFilters, number][] = [
      ['newest page', {}, 1_000],
      ['deepest page', { after: deepest }, 1_000],
      ['status=failed', { status: 'failed' }, 1_000],
      ['status=failed, deepest', { status: 'failed', after: deepest }, 1_000],
      ['error=HttpError (common)', { errorClass: 'HttpError' }, 1_000],
      [`error=RareError (${rareSteps} failed steps)`, { errorClass: 'RareError' }, 2 * rareSteps + 100],
      ['run id, 24 digits', { idPrefix: someId.slice(0, 24) }, 1_000],
    ];
    const lines: string[] = [];
    const bounds: { name: string; entriesRead: number; bound: number }[] = [];
    for (const [name, filters, bound] of cases) {
      const ms = await p50(15, () => listTasks(testDb, { limit: 20, ...filters }));
      const query = taskPageQuery(testDb, { limit: 20, ...filters }).toSQL();
      const plan = await testDb.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, query.params);
      const { Plan, 'Execution Time': executionMs } = plan.rows[0]!['QUERY PLAN'][0];
      const entriesRead = nodesOf(Plan)
        .filter((node) => node['Index Name'] !== undefined)
        .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0);
      const { total } = await listTasks(testDb, { limit: 20, ...filters });
      lines.push(`${name}: listTasks p50 ${ms.toFixed(1)} ms (page query ${executionMs.toFixed(2)} ms on the server), ${entriesRead} index entries, total ${total.exact ? '' : '~'}${total.count}`);
      bounds.push({ name, entriesRead, bound });
    }
    const offsetMs = await p50(3, () =>
      testDb.pool.query(
        `SELECT t.*, (SELECT count(*)::int FROM steps s WHERE s.task_id = t.id) AS steps_total,
                (SELECT count(*)::int FROM steps s WHERE s.task_id = t.id AND s.status IN ('completed', 'resolved_manually')) AS steps_done
           FROM tasks t ORDER BY t.created_at DESC, t.id DESC LIMIT 20 OFFSET $1`,
        [RUNS - 20],
      ),
    );
    const countMs = await p50(3, () => testDb.pool.query('SELECT count(*) FROM tasks'));
    const keysetMs = await p50(15, () => listTasks(testDb, { limit: 20, after: deepest }));
    lines.push(`deepest page, before: OFFSET ${offsetMs.toFixed(1)} ms + count(*) ${countMs.toFixed(1)} ms; after: ${keysetMs.toFixed(1)} ms`);
    console.log(`${RUNS} runs\n${lines.join('\n')}`);
    for (const { name, entriesRead, bound } of bounds) expect(entriesRead, name).toBeLessThan(bound);
    expect(keysetMs).toBeLessThan(offsetMs + countMs);
  }, 900_000);
});
