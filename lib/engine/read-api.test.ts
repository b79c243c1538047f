/**
 * The engine's read API against real runs: the ready queue (dependencies and running steps are not ready),
 * worker heartbeats, task lookups by input, run facts with manual resolutions and operations, step durations
 * and result history. State is produced by the engine itself (launch, worker, operations), never by hand.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  countFinishedAttempts,
  countTasksByStatus,
  createRegistry,
  definePipeline,
  findLatestTask,
  launchTask,
  listFinishedAttempts,
  listPipelineOperations,
  listPipelineRuns,
  PermanentError,
  readCompletedStepResults,
  readLatestStepResultNumbers,
  readReadyQueue,
  readRecentStepResults,
  readRunsFacts,
  readStep,
  readStepDurationMedians,
  readTaskFacts,
  readTaskSteps,
  readWorkerHeartbeats,
  resolveStepManually,
} from '@/lib/engine';
import { makeWorkerFactory, waitFor, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
let releaseSlow: () => void = () => undefined;
let slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
let failTransform = false;

const PIPELINE = { namespace: 'read', name: 'api' };
const pipeline = definePipeline({
  ...PIPELINE,
  version: '1',
  description: 'an extract, a gated step and a transform',
  input: z.object({ day: z.string() }),
  steps: [
    { name: 'extract_rows', metadata: { severity: 'high' }, handler: async (ctx) => ({ total_count: ctx.context.day.length * 10 }) },
    { name: 'slow', dependsOn: 'extract_rows', handler: async () => (await slowGate, { done: true }) },
    {
      name: 'transform',
      dependsOn: 'slow',
      retryable: false,
      handler: async () => {
        if (failTransform) throw new PermanentError('transform broke');
        return { ok: true };
      },
    },
  ],
});
const registry = createRegistry();
registry.register(pipeline);

const launch = async (day: string) => (await launchTask(testDb, registry, { ...PIPELINE, context: { day }, initiator: 'test' })).taskId;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  releaseSlow();
  await workers.stopAll();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('engine read API', () => {
  it('counts only claimable steps as ready, and sees running workers', async () => {
    expect(await readReadyQueue(testDb.pool)).toEqual({ depth: 0, oldestReadyAgeSeconds: 0 });
    const first = await launch('2026-01-01');
    const second = await launch('2026-01-02');
    // Each task's first step is ready; the others wait for dependencies.
    const waiting = await readReadyQueue(testDb.pool);
    expect(waiting.depth).toBe(2);
    expect(waiting.oldestReadyAgeSeconds).toBeGreaterThanOrEqual(0);

    const worker = await workers.start(testDb, registry);
    await waitFor('both gated steps to run', async () => {
      const running = await Promise.all([first, second].map(async (id) => (await readStep(testDb.pool, id, 'slow'))?.status === 'running'));
      return running.every(Boolean) || undefined;
    });
    expect((await readReadyQueue(testDb.pool)).depth).toBe(0);
    const heartbeats = await readWorkerHeartbeats(testDb.pool, { withinSeconds: 60 });
    expect(heartbeats.map((row) => row.workerId)).toContain(worker.id);
    expect(heartbeats[0]?.heartbeatAgeSeconds).toBeLessThan(60);

    releaseSlow();
    await Promise.all([first, second].map((id) => waitForTaskStatus(testDb, id, ['completed'])));
    await workers.stopAll();
    expect(await readWorkerHeartbeats(testDb.pool, { withinSeconds: 60 })).toEqual([]);

    const facts = await readTaskFacts(testDb.pool, second);
    expect(facts).toMatchObject({ id: second, ...PIPELINE, status: 'completed', context: { day: '2026-01-02' } });
    expect(await readTaskFacts(testDb.pool, 'not-a-task-id')).toBeNull();
    const steps = await readTaskSteps(testDb.pool, second);
    expect(steps.map((step) => [step.name, step.status, step.dependsOn])).toEqual([
      ['extract_rows', 'completed', []],
      ['slow', 'completed', ['extract_rows']],
      ['transform', 'completed', ['slow']],
    ]);
    expect(steps[0]?.metadata).toEqual({ severity: 'high' });

    const latest = await findLatestTask(testDb.pool, PIPELINE, { statuses: ['completed'] });
    expect(latest?.id).toBe(second);
    const byInput = await findLatestTask(testDb.pool, PIPELINE, { statuses: ['completed'], contextContains: { day: '2026-01-01' } });
    expect(byInput?.id).toBe(first);
    expect(await findLatestTask(testDb.pool, PIPELINE, { statuses: ['pending', 'running'] })).toBeNull();

    const durations = await readStepDurationMedians(testDb.pool, PIPELINE, { excludeTaskId: null, runs: 10 });
    expect(durations.runs).toBe(2);
    expect([...durations.medians.keys()].sort()).toEqual(['extract_rows', 'slow', 'transform']);

    expect(await readCompletedStepResults(testDb.pool, first, 'extract_')).toEqual([
      { taskId: first, stepName: 'extract_rows', result: { total_count: 100 } },
    ]);
    const history = await readRecentStepResults(testDb.pool, PIPELINE, {
      stepNamePrefix: 'extract_',
      createdBefore: new Date(Date.now() + 60_000),
      excludeTaskId: second,
      taskLimit: 10,
    });
    expect(history.map((row) => [row.taskId, row.taskContext])).toEqual([[first, { day: '2026-01-01' }]]);
    expect(await readLatestStepResultNumbers(testDb.pool, { stepNamePrefix: 'extract_', field: 'total_count' })).toEqual([
      { stepName: 'extract_rows', value: 100 },
    ]);
    expect(await countTasksByStatus(testDb.pool)).toEqual([{ ...PIPELINE, status: 'completed', count: 2 }]);
    const attempts = await countFinishedAttempts(testDb.pool);
    expect(attempts.find((row) => row.stepName === 'slow')).toEqual({ pipeline: `${PIPELINE.namespace}/${PIPELINE.name}`, stepName: 'slow', outcome: 'completed', count: 2 });
  });

  it('reports manual resolutions and operations on a run', async () => {
    failTransform = true;
    slowGate = Promise.resolve();
    await workers.start(testDb, registry);
    const taskId = await launch('2026-01-03');
    const since = (await readTaskFacts(testDb.pool, taskId))?.createdAt ?? new Date();
    await waitForTaskStatus(testDb, taskId, ['failed']);
    await resolveStepManually(testDb, { taskId, stepName: 'transform', actor: 'user:sam', note: 'computed by hand' });
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const [run] = await readRunsFacts(testDb.pool, [taskId]);
    expect(run).toMatchObject({ id: taskId, status: 'completed', stepsTotal: 3, stepsDone: 3, resolvedManually: ['transform'], operatorActed: true });
    const runs = await listPipelineRuns(testDb.pool, PIPELINE, { createdSince: since });
    expect(runs.map((candidate) => candidate.id)).toEqual([taskId]);
    const operations = await listPipelineOperations(testDb.pool, PIPELINE, { createdSince: since });
    expect(operations).toMatchObject([{ taskId, operation: 'resolve_manually', stepName: 'transform', actor: 'user:sam' }]);
    const failures = await listFinishedAttempts(testDb.pool, PIPELINE, { createdSince: since, outcomes: ['failed'] });
    expect(failures.map((attempt) => [attempt.stepName, attempt.outcome])).toEqual([['transform', 'failed']]);
  });
});
