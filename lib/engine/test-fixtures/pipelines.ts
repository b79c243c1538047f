/**
 * Pipelines shared by the multi-process tests and their child worker processes
 * (both sides must register the same definitions).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { withTransaction } from '@/db/transaction';
import { assertCurrentAttempt, createRegistry, PermanentError, StaleAttemptError, definePipeline, type PipelineRegistry, type StepContext, type StepDefinition } from '@/lib/engine';

export const FANOUT_STEPS = 50;

/** Independent no-op steps that record each execution, so a test can count them. */
export const fanout = definePipeline({
  namespace: 'test',
  name: 'fanout',
  version: '1',
  description: 'many independent no-op steps',
  input: z.object({}),
  steps: Array.from({ length: FANOUT_STEPS }, (_, index): StepDefinition => ({
    name: `noop_${String(index).padStart(2, '0')}`,
    handler: async (ctx) => {
      await ctx.db.pool.query(
        'INSERT INTO engine_test_executions (task_id, step_name, attempt, worker_pid) VALUES ($1, $2, $3, $4)',
        [ctx.taskId, ctx.stepName, ctx.attempt, process.pid],
      );
      return null;
    },
  })),
});

/** `slow` blocks on its first attempt until aborted, so its worker can be killed mid-step. */
export const crashable = definePipeline({
  namespace: 'test',
  name: 'crashable',
  version: '1',
  description: 'a step that hangs on its first attempt',
  input: z.object({}),
  steps: [
    { name: 'first', handler: async () => ({ value: 1 }) },
    {
      name: 'slow',
      dependsOn: 'first',
      handler: async (ctx) => {
        if (ctx.attempt > 1) return { recoveredOnAttempt: ctx.attempt, first: ctx.results.first ?? null };
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          setTimeout(resolve, 60_000).unref();
        });
        throw new Error('aborted');
      },
    },
    { name: 'last', dependsOn: 'slow', handler: async () => 'done' },
  ],
});

/** One step finishes within the shutdown grace, the other ignores its signal and must be released. */
export const shutdownProbe = definePipeline({
  namespace: 'test',
  name: 'shutdown_probe',
  version: '1',
  description: 'graceful shutdown',
  input: z.object({}),
  steps: [
    {
      name: 'finishes_in_grace',
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return 'finished';
      },
    },
    {
      name: 'hangs',
      handler: async (ctx) => {
        if (ctx.attempt > 1) return 'second attempt';
        await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
        return 'too late';
      },
    },
  ],
});

/** A chain whose steps take a moment each, so the database can be restarted in the middle of a run. */
export const slowChain = definePipeline({
  namespace: 'test',
  name: 'slow_chain',
  version: '1',
  description: 'a chain of slow steps',
  input: z.object({ stepMs: z.number().int().default(400) }),
  steps: Array.from({ length: 8 }, (_, index): StepDefinition<{ stepMs: number }> => ({
    name: `link_${index}`,
    dependsOn: index === 0 ? undefined : `link_${index - 1}`,
    retryLimit: 10,
    handler: async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, ctx.context.stepMs));
      return { index };
    },
  })),
});

/** Hangs until its worker is killed, for its first `KILLS_BEFORE_SUCCESS` attempts; then completes. */
export const KILLS_BEFORE_SUCCESS = 8;
export const victim = definePipeline({
  namespace: 'test',
  name: 'victim',
  version: '1',
  description: 'a step whose worker is killed again and again',
  input: z.object({}),
  steps: [
    {
      name: 'survives_kills',
      retryLimit: 1,
      handler: async (ctx) => {
        if (ctx.attempt > KILLS_BEFORE_SUCCESS) return { completedOnAttempt: ctx.attempt };
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          setTimeout(resolve, 60_000).unref();
        });
        throw new Error('aborted');
      },
    },
  ],
});

/** Kills the process that runs it, every time: only the lost-attempt cap can stop it. */
export const suicidal = definePipeline({
  namespace: 'test',
  name: 'suicidal',
  version: '1',
  description: 'a step that kills its own worker',
  input: z.object({}),
  steps: [
    {
      name: 'kills_its_worker',
      metadata: { severity: 'critical' },
      handler: async () => {
        process.kill(process.pid, 'SIGKILL');
        return null;
      },
    },
  ],
});

/** Waits until `file` exists, without looking at any abort signal. */
async function untilReleased(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 50));
}

type PartitionInput = { releaseDir: string };
const firstAttemptWaitsFor = async (ctx: StepContext<PartitionInput>) => {
  if (ctx.attempt === 1) await untilReleased(path.join(ctx.context.releaseDir, ctx.stepName));
};

/**
 * For the network-partition scenario (scripts/chaos/partition.ts). The first attempt of `extract` and `compute`
 * works until the scenario releases it — a file appears: a worker in another network namespace shares this
 * machine's file system, not its network — without looking at its abort signal, like a handler deep in a long
 * computation. Later attempts finish at once. `extract` writes its output row through the fence
 * (assertCurrentAttempt), as the customer_analytics extracts write each batch; `compute` only returns its result,
 * which the worker then records as the step's completion. `report` combines both: the run's results.
 */
export const partitioned = definePipeline({
  namespace: 'test',
  name: 'partitioned',
  version: '1',
  description: 'steps that outlive a network partition of their worker',
  input: z.object({ releaseDir: z.string() }),
  steps: [
    {
      name: 'extract',
      handler: async (ctx) => {
        await firstAttemptWaitsFor(ctx);
        await withTransaction(ctx.db.pool, async (client) => {
          await assertCurrentAttempt(client, ctx);
          await client.query('INSERT INTO partition_output (task_id, attempt_id, attempt) VALUES ($1, $2, $3)', [ctx.taskId, ctx.attemptId, ctx.attempt]);
        }).catch((error: unknown) => {
          // Said here, because the worker may already have abandoned the attempt and would not report the failure.
          if (error instanceof StaleAttemptError) ctx.logger.warn({ attemptId: ctx.attemptId }, "the fence refused this attempt's write");
          throw error;
        });
        return { attemptId: ctx.attemptId, attempt: ctx.attempt };
      },
    },
    {
      name: 'compute',
      handler: async (ctx) => {
        await firstAttemptWaitsFor(ctx);
        return { attemptId: ctx.attemptId, attempt: ctx.attempt };
      },
    },
    {
      name: 'report',
      dependsOn: ['extract', 'compute'],
      handler: async (ctx) => ({ extract: ctx.results.extract ?? null, compute: ctx.results.compute ?? null }),
    },
  ],
});

/**
 * For the partition that lands while a handler holds its fence: the first attempt of `hold` writes its output row
 * through the fence and keeps that transaction — and the fence's share lock on the step row — open until released.
 */
export const partitionedInTransaction = definePipeline({
  namespace: 'test',
  name: 'partitioned_in_transaction',
  version: '1',
  description: 'a step whose worker is cut off inside its fenced transaction',
  input: z.object({ releaseDir: z.string() }),
  steps: [
    {
      name: 'hold',
      handler: async (ctx) => {
        await withTransaction(ctx.db.pool, async (client) => {
          await assertCurrentAttempt(client, ctx);
          await client.query('INSERT INTO partition_output (task_id, attempt_id, attempt) VALUES ($1, $2, $3)', [ctx.taskId, ctx.attemptId, ctx.attempt]);
          await firstAttemptWaitsFor(ctx);
        });
        return { attemptId: ctx.attemptId, attempt: ctx.attempt };
      },
    },
  ],
});

type MappedResults = {
  list: number[];
  square: { index: number; item: number; squared: number }[];
  total: { sum: number; items: number; listLength: number };
};
type MappedGraph = { list: never; square: 'list'; total: 'square' };

/**
 * `list` returns `count` numbers (input), `square` maps over them, `total` sums the squares and reads `list` as an
 * ancestor. Input `hang` makes that child hang on its first attempt (so its worker can be killed mid-attempt);
 * `fail` makes that child fail for good on every attempt.
 */
export const mapped = definePipeline<z.ZodObject<{ count: z.ZodNumber; hang: z.ZodOptional<z.ZodNumber>; fail: z.ZodOptional<z.ZodNumber> }>, MappedResults, MappedGraph>({
  namespace: 'test',
  name: 'mapped',
  version: '1',
  description: 'a list, one child per item, a fan-in',
  input: z.object({ count: z.number().int().min(0), hang: z.number().int().optional(), fail: z.number().int().optional() }),
  steps: [
    { name: 'list', handler: async (ctx) => Array.from({ length: ctx.context.count }, (_, index) => index + 1) },
    {
      name: 'square',
      dependsOn: 'list',
      mapsOver: 'list',
      retryLimit: 2,
      handler: async (ctx) => {
        if (ctx.mapIndex === ctx.context.fail) throw new PermanentError(`item ${ctx.item} cannot be squared`);
        if (ctx.mapIndex === ctx.context.hang && ctx.attempt === 1) {
          await new Promise<void>((resolve) => {
            ctx.signal.addEventListener('abort', () => resolve(), { once: true });
            setTimeout(resolve, 60_000).unref();
          });
          throw new Error('aborted');
        }
        return { index: ctx.mapIndex ?? -1, item: ctx.item, squared: ctx.item * ctx.item };
      },
    },
    {
      name: 'total',
      dependsOn: 'square',
      handler: async (ctx) => ({
        sum: (ctx.results.square ?? []).reduce((sum, child) => sum + child.squared, 0),
        items: ctx.results.square?.length ?? -1,
        listLength: ctx.results.list?.length ?? -1,
      }),
    },
  ],
});

export function buildTestRegistry(): PipelineRegistry {
  const registry = createRegistry();
  registry.register(mapped);
  registry.register(fanout);
  registry.register(crashable);
  registry.register(shutdownProbe);
  registry.register(slowChain);
  registry.register(victim);
  registry.register(suicidal);
  registry.register(partitioned);
  registry.register(partitionedInTransaction);
  return registry;
}
