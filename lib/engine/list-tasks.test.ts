/**
 * The runs list's task query against 10,000 runs of history written set-based the way the engine writes them:
 * keyset pages read only their own rows at any depth, stay stable while runs arrive, every filter is served by
 * its index, and the total is the planner's estimate (exact when the first page holds every match).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask, listTasks, type ListTasksFilters, type TaskCursor } from '@/lib/engine';
import { taskPageQuery } from './list-tasks';
import { seedFinishedHistory } from './test-fixtures/history';

const chain = (name: string, version: string) =>
  definePipeline({
    namespace: 'history',
    name,
    version,
    description: 'a → b → c',
    input: z.object({}),
    steps: [
      { name: 'a', handler: async () => null },
      { name: 'b', dependsOn: 'a', handler: async () => null },
      { name: 'c', dependsOn: 'b', handler: async () => null },
    ],
  });
const busy = chain('busy', '1');
const rareV1 = chain('rare', '1');
const rareV2 = chain('rare', '2');
const registry = createRegistry();
for (const definition of [busy, rareV1, rareV2]) registry.register(definition);

const HISTORY = { busy: 9_000, rareV1: 500, rareV2: 500 };
const ALL = HISTORY.busy + HISTORY.rareV1 + HISTORY.rareV2;

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedFinishedHistory(testDb.pool, busy, HISTORY.busy);
  await seedFinishedHistory(testDb.pool, rareV1, HISTORY.rareV1);
  await seedFinishedHistory(testDb.pool, rareV2, HISTORY.rareV2);
  // The failing step's last error, as the engine's failure function stores it: most are HttpError, a few (one
  // minute in 31) RareError, so one class is common and one selective.
  await testDb.pool.query(
    `UPDATE steps SET last_error = jsonb_build_object('class', CASE WHEN (extract(epoch FROM task_created_at) / 60)::bigint % 31 = 0 THEN 'RareError' ELSE 'HttpError' END,
                                                      'message', 'source answered 503', 'retryable', true, 'at', completed_at)
      WHERE status = 'failed'`,
  );
  await testDb.pool.query('ANALYZE tasks, steps');
}, 120_000);
afterAll(async () => {
  await testDb.drop();
});

/** Every matching id newest first, straight from the table: what paging must reproduce. */
async function allIds(where = 'true', params: unknown[] = []): Promise<string[]> {
  const { rows } = await testDb.pool.query<{ id: string }>(`SELECT id FROM tasks t WHERE ${where} ORDER BY created_at DESC, id DESC`, params);
  return rows.map((row) => row.id);
}

/** Pages older and older from the newest, collecting ids. */
async function pageThrough(filters: ListTasksFilters): Promise<string[]> {
  const seen: string[] = [];
  let after: TaskCursor | undefined;
  for (let pages = 0; pages < 1_000; pages += 1) {
    const page = await listTasks(testDb, { ...filters, after });
    seen.push(...page.tasks.map((task) => task.id));
    if (!page.older) return seen;
    after = page.older;
  }
  throw new Error('paging did not end');
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The page query's plan; with `analyze`, the rows each node actually read. */
async function planOf(filters: ListTasksFilters, analyze = false): Promise<PlanNode[]> {
  const query = taskPageQuery(testDb, filters).toSQL();
  const { rows } = await testDb.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${query.sql}`,
    query.params,
  );
  return nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
}
const indexesIn = (nodes: PlanNode[]) => nodes.map((node) => node['Index Name']).filter((name) => name !== undefined);

/** The cursor of the task at that position of the unfiltered list (0 = newest). */
async function cursorAt(position: number): Promise<TaskCursor> {
  const { rows } = await testDb.pool.query<TaskCursor>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", id
       FROM tasks ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
    [position],
  );
  return rows[0]!;
}

describe('listTasks: keyset pages over 10,000 runs', () => {
  it('pages newest first through every run exactly once, and back again', async () => {
    const expected = await allIds();
    expect(expected).toHaveLength(ALL);
    expect(await pageThrough({ limit: 200 })).toEqual(expected);
    // Newer from the second page is the first page again.
    const first = await listTasks(testDb, { limit: 20 });
    expect(first.newer).toBeNull();
    const second = await listTasks(testDb, { limit: 20, after: first.older! });
    const back = await listTasks(testDb, { limit: 20, before: second.newer! });
    expect(back.tasks.map((task) => task.id)).toEqual(first.tasks.map((task) => task.id));
    expect(back.newer).toBeNull();
    expect(back.older).toEqual(first.older);
  });

  it('counts steps, and for the deepest page reads only the page from the index and only its steps', async () => {
    const deepest = await cursorAt(ALL - 21);
    const page = await listTasks(testDb, { limit: 20, after: deepest });
    expect(page.tasks).toHaveLength(20);
    expect(page.older).toBeNull();
    expect(page.tasks.every((task) => task.stepsTotal === 3)).toBe(true);
    expect(page.tasks.map((task) => task.stepsDone).sort()).toEqual(
      page.tasks.map((task) => (task.status === 'completed' ? 3 : 1)).sort(),
    );

    const nodes = await planOf({ limit: 20, after: deepest }, true);
    const taskScan = nodes.find((node) => node['Index Name'] === 'tasks_created_at_idx');
    expect(taskScan, JSON.stringify(nodes)).toBeDefined();
    // A seek: the cursor is an index condition, and the scan stops after the page (20 rows; one more is asked for).
    expect(taskScan?.['Index Cond']).toMatch(/created_at.*id/);
    expect(taskScan?.['Actual Rows']).toBeLessThanOrEqual(21);
    // Steps are counted for the page's rows only: one probe of steps per row returned, none for the 9,979 before it.
    const stepProbe = nodes.find((node) => node['Index Name'] === 'steps_task_name_idx');
    expect(stepProbe?.['Actual Loops']).toBeLessThanOrEqual(21);
  });

  it('keeps the next page stable when a newer run arrives between pages: no duplicate, no gap', async () => {
    const expected = await allIds();
    const first = await listTasks(testDb, { limit: 20 });
    const { taskId } = await launchTask(testDb, registry, { namespace: 'history', name: 'busy', context: {}, initiator: 'tester' });
    const second = await listTasks(testDb, { limit: 20, after: first.older! });
    expect([...first.tasks, ...second.tasks].map((task) => task.id)).toEqual(expected.slice(0, 40));
    // Going back up finds the new run above the first page: "Newer" now leads further.
    const back = await listTasks(testDb, { limit: 20, before: second.newer! });
    expect(back.tasks.map((task) => task.id)).toEqual(expected.slice(0, 20));
    expect(back.newer).not.toBeNull();
    expect((await listTasks(testDb, { limit: 20, before: back.newer! })).tasks.map((task) => task.id)).toEqual([taskId]);
    await testDb.pool.query('DELETE FROM tasks WHERE id = $1', [taskId]);
  });

  it('orders runs launched in one transaction (same created_at) by id, across a page boundary', async () => {
    const { rows } = await testDb.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator)
       SELECT 'history', 'twins', '1', 'pending', '{}', 'tester' FROM generate_series(1, 5) RETURNING id`,
    );
    const ids = rows.map((row) => row.id).sort().reverse();
    expect(await pageThrough({ namespace: 'history', name: 'twins', limit: 2 })).toEqual(ids);
    await testDb.pool.query(`DELETE FROM tasks WHERE name = 'twins'`);
  });
});

describe('listTasks: filters, each through its index', () => {
  const deep = { limit: 20 } as const;

  it('status: tasks_status_idx', async () => {
    const expected = await allIds(`status = 'failed'`);
    expect(await pageThrough({ status: 'failed', limit: 200 })).toEqual(expected);
    expect(indexesIn(await planOf({ ...deep, status: 'failed', after: await cursorAt(9_000) }))).toContain('tasks_status_idx');
  });

  it('pipeline: tasks_pipeline_idx; pipeline and version: tasks_pipeline_version_idx', async () => {
    expect(await pageThrough({ namespace: 'history', name: 'rare', limit: 200 })).toEqual(await allIds(`name = 'rare'`));
    expect(indexesIn(await planOf({ ...deep, namespace: 'history', name: 'rare' }))).toContain('tasks_pipeline_idx');
    expect(await pageThrough({ namespace: 'history', name: 'rare', version: '2', limit: 200 })).toEqual(await allIds(`name = 'rare' AND version = '2'`));
    expect(indexesIn(await planOf({ ...deep, namespace: 'history', name: 'rare', version: '2' }))).toContain('tasks_pipeline_version_idx');
  });

  it('run id, exact or by its first digits: tasks_pkey', async () => {
    const [newest] = await allIds();
    const hex = newest!.replaceAll('-', '');
    expect((await listTasks(testDb, { idPrefix: hex })).tasks.map((task) => task.id)).toEqual([newest]);
    const prefix = hex.slice(0, 10);
    expect(await pageThrough({ idPrefix: prefix, limit: 200 })).toEqual(await allIds(`id::text LIKE $1`, [`${newest!.slice(0, 8)}-${newest!.slice(9, 11)}%`]));
    expect(indexesIn(await planOf({ ...deep, idPrefix: hex }))).toContain('tasks_pkey');
    // A selective prefix is a range scan of the primary key. A wide one (the seeded ids were drawn within a second,
    // so ten digits match hundreds) the planner may read newest first through tasks_created_at_idx instead, which
    // stops after the page: both are bounded.
    expect(indexesIn(await planOf({ ...deep, idPrefix: hex.slice(0, 28) }))).toContain('tasks_pkey');
    expect((await listTasks(testDb, { idPrefix: 'ffffffff' })).tasks).toEqual([]);
    await expect(listTasks(testDb, { idPrefix: "0'; DROP" })).rejects.toThrow(/hex digits/);
  });

  it('error class (a step whose last error had it): steps_error_class_idx', async () => {
    const withClass = `EXISTS (SELECT 1 FROM steps s WHERE s.task_id = t.id AND s.last_error ->> 'class' = $1)`;
    const rare = await allIds(withClass, ['RareError']);
    expect(rare.length).toBeGreaterThan(50);
    expect(await pageThrough({ errorClass: 'RareError', limit: 50 })).toEqual(rare);
    expect(indexesIn(await planOf({ ...deep, errorClass: 'RareError' }))).toContain('steps_error_class_idx');
    const common = await pageThrough({ errorClass: 'HttpError', limit: 200 });
    expect(common).toEqual(await allIds(withClass, ['HttpError']));
    // Whatever the class's frequency, the first page reads a bounded number of index entries: a rare class through
    // steps_error_class_idx, a common one newest first through the tasks (which needs drizzle/0030's statistics;
    // without them the planner took every class for rare and read all ~5,000 HttpError steps).
    for (const errorClass of ['RareError', 'HttpError']) {
      const nodes = await planOf({ ...deep, errorClass }, true);
      const entriesRead = nodes.filter((node) => node['Index Name'] !== undefined && node['Index Name'] !== 'steps_task_name_idx')
        .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0);
      expect(entriesRead, `${errorClass}: ${JSON.stringify(nodes.map((node) => [node['Node Type'], node['Index Name'], node['Actual Rows']]))}`).toBeLessThan(1_000);
    }
    expect((await listTasks(testDb, { errorClass: 'NoSuchError' })).tasks).toEqual([]);
  });

  it('date: a range on created_at, read as an index condition', async () => {
    const { rows } = await testDb.pool.query<{ day: string }>(`SELECT to_char(min(created_at) AT TIME ZONE 'UTC' + interval '2 days', 'YYYY-MM-DD') AS day FROM tasks`);
    const from = new Date(`${rows[0]!.day}T00:00:00Z`);
    const before = new Date(from.getTime() + 86_400_000);
    const expected = await allIds(`created_at >= $1 AND created_at < $2`, [from, before]);
    expect(expected.length).toBeGreaterThan(1_000);
    expect(await pageThrough({ createdFrom: from, createdBefore: before, limit: 200 })).toEqual(expected);
    const nodes = await planOf({ ...deep, createdFrom: from, createdBefore: before });
    const scan = nodes.find((node) => node['Index Name'] === 'tasks_created_at_idx');
    expect(scan?.['Index Cond']).toMatch(/created_at >=/);
  });
});

describe('listTasks: the total', () => {
  it('is the planner estimate beyond the first page, within 10% here, and never below what the page shows', async () => {
    const first = await listTasks(testDb, { limit: 20 });
    expect(first.total.exact).toBe(false);
    expect(Math.abs(first.total.count - ALL) / ALL).toBeLessThan(0.1);
    const failed = await listTasks(testDb, { status: 'failed', limit: 20 });
    expect(failed.total.exact).toBe(false);
    expect(Math.abs(failed.total.count - ALL / 2) / (ALL / 2)).toBeLessThan(0.1);
    // An error class: estimated from the class's frequency in the steps (drizzle/0030), not from EXISTS.
    const httpErrors = (await allIds(`EXISTS (SELECT 1 FROM steps s WHERE s.task_id = t.id AND s.last_error ->> 'class' = 'HttpError')`)).length;
    const common = await listTasks(testDb, { errorClass: 'HttpError', limit: 20 });
    expect(common.total.exact).toBe(false);
    expect(Math.abs(common.total.count - httpErrors) / httpErrors).toBeLessThan(0.2);
    const deepest = await listTasks(testDb, { limit: 20, after: await cursorAt(ALL - 2) });
    expect(deepest.tasks).toHaveLength(1);
    expect(deepest.total).toMatchObject({ exact: false });
    expect(deepest.total.count).toBeGreaterThanOrEqual(1);
  });

  it('is exact, with no extra query, when the first page holds every match', async () => {
    const rareV2Failed = await allIds(`name = 'rare' AND version = '2' AND status = 'failed' AND created_at < (SELECT min(created_at) + interval '20 minutes' FROM tasks)`);
    const page = await listTasks(testDb, {
      namespace: 'history',
      name: 'rare',
      version: '2',
      status: 'failed',
      createdBefore: new Date((await testDb.pool.query<{ at: Date }>(`SELECT min(created_at) + interval '20 minutes' AS at FROM tasks`)).rows[0]!.at),
    });
    expect(page.total).toEqual({ count: rareV2Failed.length, exact: true });
    expect((await listTasks(testDb, { errorClass: 'NoSuchError' })).total).toEqual({ count: 0, exact: true });
  });
});

describe('the deepest page against OFFSET, same database, same run', () => {
  it('is faster with the keyset than the OFFSET query it replaces (timings printed)', async () => {
    const offsetQuery = `SELECT t.*, (SELECT count(*)::int FROM steps s WHERE s.task_id = t.id) AS steps_total,
                                (SELECT count(*)::int FROM steps s WHERE s.task_id = t.id AND s.status IN ('completed', 'resolved_manually')) AS steps_done
                           FROM tasks t ORDER BY t.created_at DESC, t.id DESC LIMIT 20 OFFSET $1`;
    const deepest = await cursorAt(ALL - 21);
    const time = async (run: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let round = 0; round < 15; round += 1) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[7]!;
    };
    const offsetMs = await time(() => testDb.pool.query(offsetQuery, [ALL - 20]));
    const offsetCount = await time(() => testDb.pool.query('SELECT count(*) FROM tasks'));
    const keysetMs = await time(() => listTasks(testDb, { limit: 20, after: deepest }));
    console.log(`deepest page of ${ALL} runs, p50 of 15: OFFSET + count(*) ${(offsetMs + offsetCount).toFixed(1)} ms (${offsetMs.toFixed(1)} + ${offsetCount.toFixed(1)}), keyset + estimate ${keysetMs.toFixed(1)} ms`);
    expect(keysetMs).toBeLessThan(offsetMs + offsetCount);
  });
});
