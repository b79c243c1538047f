/**
 * Task and step ids are UUIDv7 (drizzle/0024): time-ordered, so a new run's rows gather at the right edge of the
 * indexes keyed by them. Checked against the database's own clock and the RFC 9562 layout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { sleep } from './test-fixtures/harness';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

const registry = createRegistry();
registry.register(
  definePipeline({
    namespace: 'ids',
    name: 'pair',
    version: '1',
    description: 'two steps',
    input: z.object({}),
    steps: [
      { name: 'first', handler: async () => null },
      { name: 'second', dependsOn: 'first', handler: async () => null },
    ],
  }),
);

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The Unix milliseconds in a v7 id's first 48 bits. */
const millisecondsOf = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('time-ordered ids', () => {
  it('gives tasks and steps UUIDv7 ids that carry their creation time and sort by it', async () => {
    const launched: { taskId: string; createdAt: Date; stepIds: string[] }[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { taskId } = await launchTask(testDb, registry, { namespace: 'ids', name: 'pair', context: {}, initiator: 'test' });
      const task = await testDb.pool.query<{ createdAt: Date }>(`SELECT created_at AS "createdAt" FROM tasks WHERE id = $1`, [taskId]);
      const steps = await testDb.pool.query<{ id: string }>(`SELECT id FROM steps WHERE task_id = $1 ORDER BY position`, [taskId]);
      launched.push({ taskId, createdAt: task.rows[0]!.createdAt, stepIds: steps.rows.map((row) => row.id) });
      await sleep(3); // a later millisecond, so the order below is decided by the timestamp, not the random bits
    }
    for (const { taskId, createdAt, stepIds } of launched) {
      expect(taskId).toMatch(UUID_V7);
      expect(stepIds).toHaveLength(2);
      for (const id of [taskId, ...stepIds]) {
        expect(id).toMatch(UUID_V7);
        // Drawn in the launch's transaction: within a second of the task's created_at (now(), the transaction start).
        expect(Math.abs(millisecondsOf(id) - createdAt.getTime())).toBeLessThan(1_000);
      }
    }
    const taskIds = launched.map((task) => task.taskId);
    expect([...taskIds].sort()).toEqual(taskIds);
    const stepIds = launched.flatMap((task) => task.stepIds.map((id) => millisecondsOf(id)));
    expect([...stepIds].sort((a, b) => a - b)).toEqual(stepIds);
  });
});
