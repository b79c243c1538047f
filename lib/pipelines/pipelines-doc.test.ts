/**
 * docs/PIPELINES.md builds its example as a newcomer would: this test takes the page's code blocks as written — the
 * migration and the pipeline module — creates the table, registers the module's definitions and runs the pipeline on
 * real orders, so the page cannot drift from the engine.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, launchTask, type PipelineDefinition } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import type { PipelineModule } from '@/lib/platform/pipeline-module';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';

const root = path.resolve(import.meta.dirname, '../..');
const page = readFileSync(path.join(root, 'docs/PIPELINES.md'), 'utf8');
const blocks = (language: string) => [...page.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');

// Inside the checkout, so the block's imports resolve as they would in lib/pipelines/<name>/ (.data is git-ignored).
const folder = path.join(root, '.data', `pipelines-doc-${process.pid}`);
let testDb: TestDatabase;
const workers = makeWorkerFactory();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await workers.stopAll();
  await testDb?.drop();
  rmSync(folder, { recursive: true, force: true });
});

function isModule(value: unknown): value is PipelineModule {
  return typeof value === 'object' && value !== null && 'definitions' in value && Array.isArray(value.definitions);
}

describe('docs/PIPELINES.md', () => {
  it('its example pipeline, as written there, runs and publishes what the orders say', async () => {
    const [migration] = blocks('sql');
    const [moduleSource, registration] = blocks('ts');
    expect(migration).toContain('CREATE TABLE example_order_counts');
    expect(registration).toContain('orderCountsModule');
    await testDb.pool.query(migration!);

    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'index.ts'), moduleSource!);
    const exported: Record<string, unknown> = await import(/* @vite-ignore */ path.join(folder, 'index.ts'));
    const example = exported.orderCountsModule;
    if (!isModule(example)) throw new Error('docs/PIPELINES.md: the example exports no orderCountsModule with definitions');
    const registry = createRegistry();
    for (const definition of example.definitions) registry.register(definition as PipelineDefinition);

    // Orders on three days; the run asks for two of them and one day without orders.
    await testDb.pool.query(
      `INSERT INTO shop.orders (customer_id, total_amount, status, created_at)
       SELECT 1, 10, 'completed', day + (n || ' minutes')::interval
         FROM (VALUES ('2026-11-01'::timestamptz, 3), ('2026-11-02'::timestamptz, 5), ('2026-11-03'::timestamptz, 2)) AS d(day, count),
              generate_series(1, d.count) AS n`,
    );
    await workers.start(testDb, registry);
    const { taskId } = await launchTask(testDb, registry, {
      namespace: 'examples',
      name: 'order_counts',
      context: { days: ['2026-11-02', '2026-11-01', '2026-11-04'] },
      initiator: 'docs test',
    });
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const expected = await testDb.pool.query<{ day: string; orders: number }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day,
              (SELECT count(*)::int FROM shop.orders o WHERE o.created_at >= d AND o.created_at < d + 1) AS orders
         FROM unnest(ARRAY['2026-11-01', '2026-11-02', '2026-11-04']::date[]) AS d ORDER BY d`,
    );
    const published = await testDb.pool.query<{ day: string; orders: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, orders FROM example_order_counts WHERE task_id = $1 ORDER BY day`,
      [taskId],
    );
    expect(published.rows).toEqual(expected.rows);
    expect(published.rows.map((row) => row.orders)).toEqual([3, 5, 0]);
    // One child step per day, each with its own attempt.
    const children = await testDb.pool.query<{ name: string }>(`SELECT name FROM steps WHERE task_id = $1 AND map_parent = 'count_orders' ORDER BY map_index`, [taskId]);
    expect(children.rows.map((row) => row.name)).toEqual(['count_orders[0]', 'count_orders[1]', 'count_orders[2]']);
  });
});
