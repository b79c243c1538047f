/**
 * Acceptance 6: retry from the failure point, rerun from a step, retry all failed, cancel and resolve
 * manually — each with its preview — against real PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  cancelTask,
  completeStepManually,
  createRegistry,
  InputValidationError,
  definePipeline,
  getTask,
  launchTask,
  OperationNotAllowedError,
  previewCancelTask,
  previewCompleteStepManually,
  previewRerunFromStep,
  previewResolveStepManually,
  previewRetryFailedSteps,
  previewRetryStep,
  rerunFromStep,
  resolveStepManually,
  retryFailedSteps,
  retryStep,
} from '@/lib/engine';
import { attemptsOf, makeWorkerFactory, stepStates, waitFor, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
/** Steps listed here fail (permanently, so runs end quickly) until removed. */
const broken = new Set<string>();
const cancelledSignals: AbortSignal[] = [];

const etl = definePipeline({
  namespace: 'ops',
  name: 'etl',
  version: '1',
  description: 'a diamond with a breakable extract',
  input: z.object({}),
  steps: [
    { name: 'extract_a', handler: async (ctx) => ({ rows: 10, attempt: ctx.attempt, at: Date.now() }) },
    {
      name: 'extract_b',
      retryLimit: 1,
      handler: async (ctx) => {
        if (broken.has('extract_b')) throw new Error(`CRM unavailable (attempt ${ctx.attempt})`);
        return { rows: 20 };
      },
    },
    {
      name: 'extract_c',
      retryable: false,
      handler: async () => {
        if (broken.has('extract_c')) throw new Error('inventory unavailable');
        return { rows: 30 };
      },
    },
    { name: 'transform', dependsOn: ['extract_a', 'extract_b', 'extract_c'], handler: async (ctx) => ({ inputs: Object.keys(ctx.results).sort() }) },
    { name: 'publish', dependsOn: 'transform', handler: async (ctx) => ({ published: ctx.results.transform ?? null }) },
  ],
});

const slow = definePipeline({
  namespace: 'ops',
  name: 'slow',
  version: '1',
  description: 'a long step that honours its signal',
  input: z.object({}),
  steps: [
    {
      name: 'long',
      handler: async (ctx) => {
        cancelledSignals.push(ctx.signal);
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          setTimeout(resolve, 30_000).unref();
        });
        return 'finished';
      },
    },
    { name: 'after', dependsOn: 'long', handler: async () => 'after' },
  ],
});

/** A step with a declared result schema whose dependent reads its result; a step without one. */
const manual = definePipeline({
  namespace: 'ops',
  name: 'manual',
  version: '1',
  description: 'results an operator may supply',
  input: z.object({}),
  steps: [
    {
      name: 'fetch',
      retryable: false,
      result: z.object({ rows: z.number().int().min(0), source: z.string() }).strict(),
      handler: async () => {
        if (broken.has('fetch')) throw new Error('CRM down');
        return { rows: 5, source: 'crm' };
      },
    },
    {
      name: 'loose',
      retryable: false,
      handler: async () => {
        if (broken.has('loose')) throw new Error('inventory down');
        return 'fine';
      },
    },
    {
      name: 'report',
      dependsOn: ['fetch', 'loose'],
      handler: async (ctx) => {
        const fetched = ctx.results.fetch as { rows: number; source: string };
        return { doubled: fetched.rows * 2, source: fetched.source, loose: ctx.results.loose ?? null };
      },
    },
  ],
});

const registry = createRegistry();
registry.register(etl);
registry.register(slow);
registry.register(manual);
const launch = (name: string) => launchTask(testDb, registry, { namespace: 'ops', name, context: {}, initiator: 'test' });

beforeAll(async () => {
  testDb = await createTestDatabase();
  await workers.start(testDb, registry, { backoff: { baseMs: 20, capMs: 100 } });
});
afterEach(() => broken.clear());
afterAll(async () => {
  await workers.stopAll();
  await testDb.drop();
});

async function stepRows(taskId: string) {
  const task = await getTask(testDb, taskId);
  return Object.fromEntries((task?.steps ?? []).map((step) => [step.name, step]));
}

describe('operator operations', () => {
  it('retries a failed step: only it and its dependents run; completed steps keep results, attempts and timestamps', async () => {
    broken.add('extract_b');
    const { taskId } = await launch('etl');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    expect(await stepStates(testDb, taskId)).toMatchObject({ extract_a: 'completed', extract_b: 'failed', transform: 'blocked', publish: 'blocked' });
    const before = await stepRows(taskId);

    expect(await previewRetryStep(testDb, { taskId, stepName: 'extract_b' })).toEqual(['extract_b', 'transform', 'publish']);
    await expect(previewRetryStep(testDb, { taskId, stepName: 'extract_a' })).rejects.toBeInstanceOf(OperationNotAllowedError);

    broken.delete('extract_b');
    const affected = await retryStep(testDb, { taskId, stepName: 'extract_b', actor: 'user:sarah', reason: 'CRM is back' });
    expect(affected).toEqual(['extract_b', 'transform', 'publish']);
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const after = await stepRows(taskId);
    for (const name of ['extract_a', 'extract_c']) {
      expect(after[name]?.attempts).toEqual(before[name]?.attempts);
      expect(after[name]?.result).toEqual(before[name]?.result);
      expect(after[name]?.completedAt).toEqual(before[name]?.completedAt);
    }
    // Two failed attempts (1 + 1 retry), then the operator's fresh budget.
    expect(after.extract_b?.attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(after.transform?.attempts).toHaveLength(1);
    expect(after.publish?.attempts).toHaveLength(1);
    const task = await getTask(testDb, taskId);
    expect(task?.operations).toMatchObject([
      { operation: 'retry_step', stepName: 'extract_b', actor: 'user:sarah', reason: 'CRM is back', affectedSteps: ['extract_b', 'transform', 'publish'] },
    ]);
  });

  it('reruns from a completed step: that step and everything downstream run again, nothing upstream', async () => {
    const { taskId } = await launch('etl');
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const before = await stepRows(taskId);

    expect(await previewRerunFromStep(testDb, { taskId, stepName: 'transform' })).toEqual(['transform', 'publish']);
    expect(await previewRerunFromStep(testDb, { taskId, stepName: 'extract_a' })).toEqual(['extract_a', 'transform', 'publish']);
    const affected = await rerunFromStep(testDb, { taskId, stepName: 'transform', actor: 'user:sarah', reason: 'fixed a formula' });
    expect(affected).toEqual(['transform', 'publish']);
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const after = await stepRows(taskId);
    for (const name of ['extract_a', 'extract_b', 'extract_c']) expect(after[name]?.attempts).toEqual(before[name]?.attempts);
    expect(after.transform?.attempts.map((attempt) => attempt.attemptNumber)).toEqual([1, 2]);
    expect(after.publish?.attempts.map((attempt) => attempt.attemptNumber)).toEqual([1, 2]);
    expect(after.publish!.completedAt!.getTime()).toBeGreaterThan(before.publish!.completedAt!.getTime());
  });

  it('retries all failed steps at once', async () => {
    broken.add('extract_b');
    broken.add('extract_c');
    const { taskId } = await launch('etl');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    expect(await previewRetryFailedSteps(testDb, { taskId })).toEqual(['extract_b', 'extract_c', 'transform', 'publish']);
    broken.clear();
    expect(await retryFailedSteps(testDb, { taskId, actor: 'user:sarah', reason: 'all sources back' })).toEqual([
      'extract_b',
      'extract_c',
      'transform',
      'publish',
    ]);
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.filter((attempt) => attempt.stepName === 'extract_a')).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.stepName === 'extract_c').map((attempt) => attempt.outcome)).toEqual(['failed', 'completed']);
  });

  it('resolves a failed step manually: a note is required, and dependents then run', async () => {
    broken.add('extract_c');
    const { taskId } = await launch('etl');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    await expect(resolveStepManually(testDb, { taskId, stepName: 'extract_c', actor: 'user:sarah', note: '  ' })).rejects.toThrow(/note/);
    expect(await previewResolveStepManually(testDb, { taskId, stepName: 'extract_c' })).toEqual(['transform', 'publish']);

    await resolveStepManually(testDb, { taskId, stepName: 'extract_c', actor: 'user:sarah', note: 'loaded by hand from the CSV export' });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const steps = await stepRows(taskId);
    expect(steps.extract_c).toMatchObject({ status: 'resolved_manually', resolvedNote: 'loaded by hand from the CSV export', resolvedBy: 'user:sarah' });
    expect(steps.extract_c?.attempts).toHaveLength(1);
    expect(steps.transform?.result).toEqual({ inputs: ['extract_a', 'extract_b', 'extract_c'] });
  });

  it('completes failed steps with an operator’s result: checked against the declared schema, and dependents read it', async () => {
    broken.add('fetch');
    broken.add('loose');
    const { taskId } = await launch('manual');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const who = { taskId, actor: 'user:sarah', reason: 'exported from the CRM by hand' };
    expect(await previewCompleteStepManually(testDb, { taskId, stepName: 'fetch' })).toEqual(['report']);

    // A result that does not fit the schema is refused with its field paths, and nothing changes.
    const refused = completeStepManually(testDb, registry, { ...who, stepName: 'fetch', result: { rows: -1, source: 'crm', extra: true } });
    await expect(refused).rejects.toBeInstanceOf(InputValidationError);
    await expect(refused).rejects.toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: 'result.rows' }), expect.objectContaining({ path: 'result' })]) });
    await expect(completeStepManually(testDb, registry, { ...who, stepName: 'fetch', reason: ' ', result: { rows: 1, source: 'x' } })).rejects.toThrow(/reason/);
    expect(await stepStates(testDb, taskId)).toMatchObject({ fetch: 'failed', report: 'blocked' });
    const operations = await testDb.pool.query(`SELECT 1 FROM task_operations WHERE task_id = $1`, [taskId]);
    expect(operations.rowCount).toBe(0);

    await completeStepManually(testDb, registry, { ...who, stepName: 'fetch', result: { rows: 21, source: 'csv export' } });
    // Without a declared schema any JSON is taken as the result.
    await completeStepManually(testDb, registry, { ...who, stepName: 'loose', result: ['counted', 3] });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const steps = await stepRows(taskId);
    expect(steps.fetch).toMatchObject({ status: 'completed', result: { rows: 21, source: 'csv export' }, resolvedBy: 'user:sarah', resolvedNote: 'exported from the CRM by hand' });
    expect(steps.report?.result).toEqual({ doubled: 42, source: 'csv export', loose: ['counted', 3] });
    const events = await testDb.pool.query<{ manual: boolean }>(
      `SELECT (payload->>'manual')::boolean AS manual FROM task_events WHERE task_id = $1 AND name = 'step.completed' AND step_name = 'fetch'`,
      [taskId],
    );
    expect(events.rows).toEqual([{ manual: true }]);
    // A completed step is not completed again by hand.
    await expect(completeStepManually(testDb, registry, { ...who, stepName: 'fetch', result: { rows: 1, source: 'x' } })).rejects.toBeInstanceOf(OperationNotAllowedError);
  });

  it('cancels a running task: its running attempt is aborted, pending steps are cancelled', async () => {
    cancelledSignals.length = 0;
    const { taskId } = await launch('slow');
    await waitFor('the long step to run', async () => (await stepStates(testDb, taskId)).long === 'running');
    expect(await previewCancelTask(testDb, { taskId })).toEqual(['long', 'after']);

    expect(await cancelTask(testDb, { taskId, actor: 'user:sarah', reason: 'wrong window' })).toEqual(['long', 'after']);
    expect(await stepStates(testDb, taskId)).toEqual({ long: 'cancelled', after: 'cancelled' });
    await waitFor('the handler to see its signal aborted', async () => cancelledSignals[0]?.aborted, 5_000);
    const [attempt] = await attemptsOf(testDb, taskId);
    expect(attempt).toMatchObject({ outcome: 'cancelled', errorClass: 'TaskCancelled' });
    expect((await getTask(testDb, taskId))?.status).toBe('cancelled');
    await expect(retryFailedSteps(testDb, { taskId, actor: 'user:sarah' })).rejects.toThrow(/cancelled/);
    await expect(cancelTask(testDb, { taskId, actor: 'user:sarah' })).rejects.toThrow(/already cancelled/);

    // The slot is free again: a new task runs to completion.
    const next = await launch('etl');
    await waitForTaskStatus(testDb, next.taskId, ['completed']);
  });
});
