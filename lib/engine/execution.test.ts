/**
 * Acceptance 1, 3, 4 and 7 against real PostgreSQL: DAG parallelism and ordering, retries with growing
 * backoff, exhaustion and permanent failures, Retry-After, timeouts, result size, launch validation and
 * idempotent launches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  createRegistry,
  definePipeline,
  getTask,
  InputValidationError,
  launchTask,
  PermanentError,
  RetryableError,
  type PipelineRegistry,
} from '@/lib/engine';
import { attemptsOf, eventsOf, makeWorkerFactory, sleep, stepStates, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await workers.stopAll();
});
afterAll(async () => {
  await workers.stopAll();
  await testDb.drop();
});

const registryWith = (...definitions: Parameters<PipelineRegistry['register']>[0][]) => {
  const registry = createRegistry();
  for (const definition of definitions) registry.register(definition);
  return registry;
};
const launch = (registry: PipelineRegistry, name: string, context: unknown = {}) =>
  launchTask(testDb, registry, { namespace: 'exec', name, context, initiator: 'test' });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('execution', () => {
  it('runs a diamond: b and c overlap, d starts only after both, within milliseconds of the last', async () => {
    const diamond = definePipeline({
      namespace: 'exec',
      name: 'diamond',
      version: '1',
      description: 'a → (b, c) → d',
      input: z.object({}),
      steps: [
        { name: 'a', handler: async () => ({ from: 'a' }) },
        { name: 'b', dependsOn: 'a', handler: async () => (await pause(400), { from: 'b' }) },
        { name: 'c', dependsOn: ['a'], handler: async () => (await pause(400), { from: 'c' }) },
        { name: 'd', dependsOn: ['b', 'c'], handler: async (ctx) => ({ saw: ctx.results }) },
      ],
    });
    const registry = registryWith(diamond);
    // A long poll interval: only LISTEN/NOTIFY can start d quickly.
    await workers.start(testDb, registry, { pollIntervalMs: 10_000 });
    const { taskId } = await launch(registry, 'diamond');
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const attempts = Object.fromEntries((await attemptsOf(testDb, taskId)).map((attempt) => [attempt.stepName, attempt]));
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => attempts[name]!);
    expect(b!.startedAt.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
    expect(c!.startedAt.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
    // Overlap: each started before the other finished.
    expect(b!.startedAt.getTime()).toBeLessThan(c!.finishedAt!.getTime());
    expect(c!.startedAt.getTime()).toBeLessThan(b!.finishedAt!.getTime());
    const lastDependency = Math.max(b!.finishedAt!.getTime(), c!.finishedAt!.getTime());
    expect(d!.startedAt.getTime()).toBeGreaterThanOrEqual(lastDependency);
    // Generous for a loaded 2-core machine, yet far below the 10 s poll interval.
    expect(d!.startedAt.getTime() - lastDependency).toBeLessThan(1_000);

    const task = await getTask(testDb, taskId);
    // d reads every ancestor's result: its dependencies b and c, and a through them.
    expect(task?.steps.find((step) => step.name === 'd')?.result).toEqual({ saw: { a: { from: 'a' }, b: { from: 'b' }, c: { from: 'c' } } });
  });

  it('retries a step that fails twice, with growing backoff, and completes it on attempt 3', async () => {
    const flaky = definePipeline({
      namespace: 'exec',
      name: 'flaky',
      version: '1',
      description: 'fails twice',
      input: z.object({}),
      steps: [
        {
          name: 'flaky',
          handler: async (ctx) => {
            if (ctx.attempt <= 2) throw new Error(`boom ${ctx.attempt}`);
            return { attempt: ctx.attempt };
          },
        },
      ],
    });
    const registry = registryWith(flaky);
    await workers.start(testDb, registry, { backoff: { baseMs: 200, capMs: 10_000 } });
    const { taskId } = await launch(registry, 'flaky');
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'completed']);
    expect(attempts[0]?.errorMessage).toBe('boom 1');
    const retries = await testDb.pool.query<{ retryInMs: number }>(
      `SELECT (payload->>'retryInMs')::int AS "retryInMs" FROM task_events WHERE task_id = $1 AND name = 'step.retrying' ORDER BY id`,
      [taskId],
    );
    const [first, second] = retries.rows.map((row) => row.retryInMs);
    // Equal jitter: failure 1 waits 100–200 ms, failure 2 waits 200–400 ms.
    expect(first).toBeGreaterThanOrEqual(100);
    expect(first).toBeLessThanOrEqual(200);
    expect(second).toBeGreaterThanOrEqual(200);
    expect(second).toBeLessThanOrEqual(400);
    expect(second).toBeGreaterThan(first!);
    // The measured gaps honour the computed delays (a few ms of clock rounding allowed).
    const gap = (index: number) => attempts[index + 1]!.startedAt.getTime() - attempts[index]!.finishedAt!.getTime();
    expect(gap(0)).toBeGreaterThanOrEqual(first! - 5);
    expect(gap(1)).toBeGreaterThanOrEqual(second! - 5);
  });

  it('fails a step after its retries, but fails the task only after the independent branch finished', async () => {
    const branches = definePipeline({
      namespace: 'exec',
      name: 'branches',
      version: '1',
      description: 'one doomed branch, one slow healthy branch',
      input: z.object({}),
      steps: [
        { name: 'doomed', retryLimit: 2, handler: async () => Promise.reject(new Error('always')) },
        { name: 'after_doomed', dependsOn: 'doomed', handler: async () => 'never' },
        { name: 'independent', handler: async () => (await pause(1_500), 'ok') },
        { name: 'after_independent', dependsOn: 'independent', handler: async () => 'ok' },
      ],
    });
    const registry = registryWith(branches);
    await workers.start(testDb, registry);
    const { taskId } = await launch(registry, 'branches');
    await waitForTaskStatus(testDb, taskId, ['failed']);

    expect(await stepStates(testDb, taskId)).toEqual({
      doomed: 'failed',
      // Downstream of a final failure is blocked at once, in the failing transaction: nothing lingers as pending.
      after_doomed: 'blocked',
      independent: 'completed',
      after_independent: 'completed',
    });
    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.filter((attempt) => attempt.stepName === 'doomed')).toHaveLength(3);
    const events = (await eventsOf(testDb, taskId)).map((event) => `${event.name}:${event.stepName ?? ''}`);
    expect(events.indexOf('step.failed:doomed')).toBeLessThan(events.indexOf('step.completed:after_independent'));
    expect(events.at(-1)).toBe('task.failed:');
    expect(events.filter((event) => event === 'step.retrying:doomed')).toHaveLength(2);
  });

  it('gives PermanentError and non-retryable steps exactly one attempt', async () => {
    const permanent = definePipeline({
      namespace: 'exec',
      name: 'permanent',
      version: '1',
      description: 'permanent failures',
      input: z.object({}),
      steps: [
        { name: 'permanent', retryLimit: 5, handler: async () => Promise.reject(new PermanentError('bad request: 400')) },
        { name: 'not_retryable', retryable: false, handler: async () => Promise.reject(new Error('transient, but not retryable')) },
      ],
    });
    const registry = registryWith(permanent);
    await workers.start(testDb, registry);
    const { taskId } = await launch(registry, 'permanent');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const attempts = await attemptsOf(testDb, taskId);
    expect(attempts.map((attempt) => [attempt.stepName, attempt.attemptNumber, attempt.errorClass])).toEqual([
      ['not_retryable', 1, 'Error'],
      ['permanent', 1, 'PermanentError'],
    ]);
    const task = await getTask(testDb, taskId);
    expect(task?.steps.find((step) => step.name === 'permanent')?.lastError).toMatchObject({ class: 'PermanentError', retryable: false });
  });

  it('waits retryAfterMs before the next attempt, capped by the backoff cap', async () => {
    const rateLimited = definePipeline({
      namespace: 'exec',
      name: 'rate_limited',
      version: '1',
      description: 'Retry-After',
      input: z.object({}),
      steps: [
        {
          name: 'honoured',
          handler: async (ctx) => {
            if (ctx.attempt === 1) throw new RetryableError('429 Too Many Requests', { retryAfterMs: 1_200 });
            return 'ok';
          },
        },
        {
          name: 'capped',
          handler: async (ctx) => {
            if (ctx.attempt === 1) throw new RetryableError('429 Too Many Requests', { retryAfterMs: 3_600_000 });
            return 'ok';
          },
        },
      ],
    });
    const registry = registryWith(rateLimited);
    await workers.start(testDb, registry, { backoff: { baseMs: 10, capMs: 2_000 } });
    const { taskId } = await launch(registry, 'rate_limited');
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const attempts = await attemptsOf(testDb, taskId);
    const gap = (step: string) => {
      const [first, second] = attempts.filter((attempt) => attempt.stepName === step);
      return second!.startedAt.getTime() - first!.finishedAt!.getTime();
    };
    expect(gap('honoured')).toBeGreaterThanOrEqual(1_195);
    expect(gap('honoured')).toBeLessThan(1_195 + 1_500);
    expect(gap('capped')).toBeGreaterThanOrEqual(1_995);
    expect(gap('capped')).toBeLessThan(1_995 + 1_500);
  });

  it('aborts a timed-out handler that ignores its signal, frees its slot at the hard limit, and retries', async () => {
    const signals: AbortSignal[] = [];
    const hanging = definePipeline({
      namespace: 'exec',
      name: 'hanging',
      version: '1',
      description: 'timeouts',
      input: z.object({}),
      steps: [
        {
          name: 'hangs',
          timeoutMs: 300,
          handler: async (ctx) => {
            signals.push(ctx.signal);
            if (ctx.attempt === 1) await sleep(8_000); // ignores the signal on purpose
            return { attempt: ctx.attempt };
          },
        },
        { name: 'other', handler: async () => 'ran while the first handler still hung' },
      ],
    });
    const registry = registryWith(hanging);
    // One slot: "other" and the retry can only run once the hung handler's slot is freed, at the 1 s hard limit.
    await workers.start(testDb, registry, { concurrency: 1, backoff: { baseMs: 10, capMs: 100 }, abandonHandlerAfterMs: 1_000 });
    const started = Date.now();
    const { taskId } = await launch(registry, 'hanging');
    await waitForTaskStatus(testDb, taskId, ['completed'], 7_000);
    expect(Date.now() - started).toBeLessThan(7_000);

    const attempts = (await attemptsOf(testDb, taskId)).filter((attempt) => attempt.stepName === 'hangs');
    expect(attempts.map((attempt) => [attempt.outcome, attempt.errorClass])).toEqual([
      ['timed_out', 'StepTimeoutError'],
      ['completed', null],
    ]);
    const duration = attempts[0]!.finishedAt!.getTime() - attempts[0]!.startedAt.getTime();
    expect(duration).toBeGreaterThanOrEqual(290);
    expect(duration).toBeLessThan(3_000);
    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]?.reason as Error).name).toBe('StepTimeoutError');
  });

  it('refuses a result over 1 MB with a clear permanent error', async () => {
    const big = definePipeline({
      namespace: 'exec',
      name: 'big',
      version: '1',
      description: 'oversized result',
      input: z.object({}),
      steps: [{ name: 'huge', handler: async () => ({ rows: 'x'.repeat(1_100_000) }) }],
    });
    const registry = registryWith(big);
    await workers.start(testDb, registry);
    const { taskId } = await launch(registry, 'big');
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const [attempt, ...more] = await attemptsOf(testDb, taskId);
    expect(more).toHaveLength(0);
    expect(attempt?.errorClass).toBe('ResultTooLargeError');
    expect(attempt?.errorMessage).toMatch(/1,100,011 bytes.*at most 1,048,576 bytes \(1 MB\)/);
  });
});

describe('launch', () => {
  const validated = definePipeline({
    namespace: 'exec',
    name: 'validated',
    version: '1',
    description: 'input schema',
    input: z.object({
      start_date: z.iso.date(),
      limit: z.number().int().positive(),
      channel: z.string().startsWith('#').default('#data-team'),
    }),
    steps: [{ name: 'only', handler: async () => null }, { name: 'second', dependsOn: 'only', handler: async () => null }],
  });
  const registry = registryWith(validated);
  const counts = async () => {
    const result = await testDb.pool.query<{ tasks: number; steps: number }>(
      `SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM steps) AS steps`,
    );
    return result.rows[0]!;
  };

  it('rejects invalid context naming every bad field, and writes nothing', async () => {
    const before = await counts();
    const error = await launch(registry, 'validated', { start_date: '2024-13-45', limit: -3, channel: 'no-hash' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    const paths = (error as InputValidationError).issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(['channel', 'limit', 'start_date']);
    expect((error as Error).message).toMatch(/start_date: .*limit: .*channel: /);
    expect(await counts()).toEqual(before);
  });

  it('applies schema defaults and records initiator and reason', async () => {
    const { taskId, created } = await launchTask(testDb, registry, {
      namespace: 'exec',
      name: 'validated',
      context: { start_date: '2024-01-31', limit: 5 },
      initiator: 'user:ada',
      reason: 'backfill',
    });
    expect(created).toBe(true);
    const task = await getTask(testDb, taskId);
    expect(task).toMatchObject({ context: { start_date: '2024-01-31', limit: 5, channel: '#data-team' }, initiator: 'user:ada', reason: 'backfill', status: 'pending' });
    expect(task?.steps.map((step) => [step.name, step.status, step.dependsOn])).toEqual([
      ['only', 'pending', []],
      ['second', 'pending', ['only']],
    ]);
  });

  it('creates exactly one task for concurrent launches with one idempotency key', async () => {
    const before = await counts();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        launchTask(testDb, registry, {
          namespace: 'exec',
          name: 'validated',
          context: { start_date: '2024-02-01', limit: 1 },
          idempotencyKey: 'schedule:daily:2024-02-01',
          initiator: 'scheduler',
        }),
      ),
    );
    expect(new Set(results.map((result) => result.taskId)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await counts()).toEqual({ tasks: before.tasks + 1, steps: before.steps + 2 });
  });
});
