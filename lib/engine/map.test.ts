/**
 * Mapped steps (dynamic fan-out): a step that maps over an ancestor's list is expanded into one child per item in the
 * transaction that recorded the list; each child has its own attempts, retries and lease; the step completes with its
 * children's results in item order and its dependent runs after all of them. Real workers, real PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { countFinishedAttempts, createRegistry, definePipeline, launchTask, MapListError, rerunFromStep, retryStep } from '@/lib/engine';
import { createChildWorkers } from './test-fixtures/child-workers';
import { attemptsOf, makeWorkerFactory, stepStates, waitFor, waitForTaskStatus } from './test-fixtures/harness';
import { buildTestRegistry } from './test-fixtures/pipelines';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
const children = createChildWorkers();
const registry = buildTestRegistry();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await workers.stopAll();
  await children.killAll();
});
afterAll(async () => {
  await testDb.drop();
});

const launchMapped = async (context: Record<string, number>) =>
  (await launchTask(testDb, registry, { namespace: 'test', name: 'mapped', context, initiator: 'test' })).taskId;

interface StepRowView {
  name: string;
  status: string;
  result: unknown;
  mapParent: string | null;
  mapIndex: number | null;
  mapItem: unknown;
  dependsOn: string[];
  attemptCount: number;
}

async function rows(taskId: string): Promise<StepRowView[]> {
  const { rows } = await testDb.pool.query<StepRowView>(
    `SELECT name, status, result, map_parent AS "mapParent", map_index AS "mapIndex", map_item AS "mapItem",
            depends_on AS "dependsOn", attempt_count AS "attemptCount"
       FROM steps WHERE task_id = $1 ORDER BY position, map_index NULLS FIRST`,
    [taskId],
  );
  return rows;
}

const squaresOf = (n: number) => Array.from({ length: n }, (_, index) => ({ index, item: index + 1, squared: (index + 1) ** 2 }));
const sumOfSquares = (n: number) => (n * (n + 1) * (2 * n + 1)) / 6;

describe('mapped steps', () => {
  it('one item: one child, the fan-in holds its result, the dependent reads it and an ancestor', async () => {
    await workers.start(testDb, registry);
    const taskId = await launchMapped({ count: 1 });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const steps = await rows(taskId);
    expect(steps.map((step) => step.name)).toEqual(['list', 'square', 'square[0]', 'total']);
    expect(steps.find((step) => step.name === 'square[0]')).toMatchObject({ mapParent: 'square', mapIndex: 0, mapItem: 1, status: 'completed' });
    expect(steps.find((step) => step.name === 'square')?.result).toEqual(squaresOf(1));
    // The children are what the mapped step waits for, after its declared dependency.
    expect(steps.find((step) => step.name === 'square')?.dependsOn).toEqual(['list', 'square[0]']);
    expect(steps.find((step) => step.name === 'total')?.result).toEqual({ sum: 1, items: 1, listLength: 1 });
  });

  it('zero items: no child, and the dependent runs with an empty list', async () => {
    await workers.start(testDb, registry);
    const taskId = await launchMapped({ count: 0 });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const steps = await rows(taskId);
    expect(steps.map((step) => step.name)).toEqual(['list', 'square', 'total']);
    expect(steps.find((step) => step.name === 'square')?.result).toEqual([]);
    expect(steps.find((step) => step.name === 'total')?.result).toEqual({ sum: 0, items: 0, listLength: 0 });
  });

  it('500 items: 500 children across two workers, results in item order, the dependent after the last child', async () => {
    await workers.start(testDb, registry, { concurrency: 8 });
    await workers.start(testDb, registry, { concurrency: 8 });
    const taskId = await launchMapped({ count: 500 });
    await waitForTaskStatus(testDb, taskId, ['completed'], 60_000);
    const steps = await rows(taskId);
    const childRows = steps.filter((step) => step.mapParent === 'square');
    expect(childRows).toHaveLength(500);
    expect(childRows.every((child) => child.status === 'completed' && child.attemptCount === 1)).toBe(true);
    expect(steps.find((step) => step.name === 'square')?.result).toEqual(squaresOf(500));
    expect(steps.find((step) => step.name === 'total')?.result).toEqual({ sum: sumOfSquares(500), items: 500, listLength: 500 });

    const attempts = await attemptsOf(testDb, taskId);
    const lastChildEnd = Math.max(...attempts.filter((attempt) => attempt.stepName.startsWith('square[')).map((attempt) => attempt.finishedAt!.getTime()));
    const total = attempts.find((attempt) => attempt.stepName === 'total')!;
    expect(total.startedAt.getTime()).toBeGreaterThanOrEqual(lastChildEnd);
    expect(new Set(attempts.map((attempt) => attempt.workerId)).size).toBe(2);
    // Metrics group the children under their mapped step: one series, not 500 (the fan-in's own attempt counts too).
    const counted = (await countFinishedAttempts(testDb.pool)).filter((row) => row.pipeline === 'test/mapped' && row.stepName.startsWith('square'));
    const direct = await testDb.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM step_attempts WHERE step_name LIKE 'square%' AND outcome = 'completed'
          AND task_id IN (SELECT id FROM tasks WHERE namespace = 'test' AND name = 'mapped')`,
    );
    expect(direct.rows[0]!.count).toBeGreaterThanOrEqual(501);
    expect(counted).toEqual([{ pipeline: 'test/mapped', stepName: 'square', outcome: 'completed', count: direct.rows[0]!.count }]);
  });

  it('a child whose worker is killed mid-attempt is taken over alone; its siblings run once', async () => {
    const child = children.spawn(testDb.url, 'map-victim', { TEST_LEASE_MS: '1000', TEST_HEARTBEAT_MS: '200', TEST_POLL_MS: '200' });
    await child.ready;
    const taskId = await launchMapped({ count: 5, hang: 2 });
    await waitFor('square[2] to hang on the child worker', async () => {
      const hanging = (await rows(taskId)).find((step) => step.name === 'square[2]');
      return hanging?.status === 'running' ? true : undefined;
    });
    await waitFor('the other children to finish', async () => {
      const others = (await rows(taskId)).filter((step) => step.mapParent === 'square' && step.name !== 'square[2]');
      return others.length === 4 && others.every((step) => step.status === 'completed') ? true : undefined;
    });
    child.process.kill('SIGKILL');
    await child.exited;

    await workers.start(testDb, registry, { leaseMs: 1_000, pollIntervalMs: 200 });
    await waitForTaskStatus(testDb, taskId, ['completed'], 30_000);
    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.filter((attempt) => attempt.stepName === 'square[2]').map((attempt) => attempt.outcome)).toEqual(['lost', 'completed']);
    for (const name of ['square[0]', 'square[1]', 'square[3]', 'square[4]']) {
      expect(attempts.filter((attempt) => attempt.stepName === name)).toHaveLength(1);
    }
    expect((await rows(taskId)).find((step) => step.name === 'total')?.result).toEqual({ sum: sumOfSquares(5), items: 5, listLength: 5 });
  });

  it('a child that fails for good blocks the mapped step and its dependent; retrying the child finishes the run', async () => {
    await workers.start(testDb, registry);
    const taskId = await launchMapped({ count: 4, fail: 1 });
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const states = await stepStates(testDb, taskId);
    expect(states).toMatchObject({ list: 'completed', 'square[0]': 'completed', 'square[1]': 'failed', 'square[2]': 'completed', 'square[3]': 'completed', square: 'blocked', total: 'blocked' });
    // A permanent error: one attempt, no retries.
    expect((await attemptsOf(testDb, taskId)).filter((attempt) => attempt.stepName === 'square[1]')).toHaveLength(1);

    // The operator retries the failed child alone: the siblings do not run again.
    const registryWithFix = buildTestRegistry();
    await workers.stopAll();
    await testDb.pool.query(`UPDATE tasks SET context = context - 'fail' WHERE id = $1`, [taskId]);
    const rerun = await retryStep(testDb, { taskId, stepName: 'square[1]', actor: 'test' });
    expect(rerun).toEqual(['square', 'square[1]', 'total']);
    await workers.start(testDb, registryWithFix);
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.filter((attempt) => attempt.stepName === 'square[0]')).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.stepName === 'square[1]').map((attempt) => attempt.outcome)).toEqual(['failed', 'completed']);
    expect((await rows(taskId)).find((step) => step.name === 'total')?.result).toEqual({ sum: sumOfSquares(4), items: 4, listLength: 4 });
  });

  it('rerun from the mapped step expands it again from its list', async () => {
    await workers.start(testDb, registry);
    const taskId = await launchMapped({ count: 3 });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    await rerunFromStep(testDb, { taskId, stepName: 'square', actor: 'test', reason: 'map again' });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const steps = await rows(taskId);
    expect(steps.filter((step) => step.mapParent === 'square').map((step) => step.name)).toEqual(['square[0]', 'square[1]', 'square[2]']);
    // The children are new rows: one attempt each since the rerun.
    expect((await attemptsOf(testDb, taskId)).filter((attempt) => attempt.stepName === 'square[0]')).toHaveLength(1);
    expect(steps.find((step) => step.name === 'square')?.dependsOn).toEqual(['list', 'square[0]', 'square[1]', 'square[2]']);
    expect(steps.find((step) => step.name === 'total')?.result).toEqual({ sum: 14, items: 3, listLength: 3 });

    // From further up, with a list that changed: the new list decides the children.
    await testDb.pool.query(`UPDATE tasks SET context = jsonb_set(context, '{count}', '2') WHERE id = $1`, [taskId]);
    await rerunFromStep(testDb, { taskId, stepName: 'list', actor: 'test', reason: 'shorter list' });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    expect((await rows(taskId)).filter((step) => step.mapParent === 'square').map((step) => step.name)).toEqual(['square[0]', 'square[1]']);
    expect((await rows(taskId)).find((step) => step.name === 'total')?.result).toEqual({ sum: 5, items: 2, listLength: 2 });
  });

  it('a list that is not a list, or too long, fails the mapped step with the reason', async () => {
    const limited = definePipeline({
      namespace: 'test',
      name: 'bad_lists',
      version: '1',
      description: 'lists that cannot be mapped',
      input: z.object({ list: z.unknown() }),
      steps: [
        { name: 'list', handler: async (ctx) => (ctx.context as { list: number[] }).list },
        { name: 'each', dependsOn: 'list', mapsOver: 'list', maxItems: 3, handler: async (ctx) => ctx.item ?? null },
      ],
    });
    const own = createRegistry();
    own.register(limited);
    await workers.start(testDb, own);
    const tooLong = (await launchTask(testDb, own, { namespace: 'test', name: 'bad_lists', context: { list: [1, 2, 3, 4] }, initiator: 'test' })).taskId;
    const notAList = (await launchTask(testDb, own, { namespace: 'test', name: 'bad_lists', context: { list: { a: 1 } }, initiator: 'test' })).taskId;
    for (const [taskId, message] of [
      [tooLong, 'Step "each" maps over the result of "list": 4 items, more than its maxItems allows'],
      [notAList, 'Step "each" maps over the result of "list", which must be a list; it is an object'],
    ] as const) {
      await waitForTaskStatus(testDb, taskId, ['failed']);
      const failed = (await attemptsOf(testDb, taskId)).find((attempt) => attempt.stepName === 'each');
      expect(failed?.errorClass).toBe(new MapListError('').name);
      expect(failed?.errorMessage).toContain(message);
    }
  });
});
