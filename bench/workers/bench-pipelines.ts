/**
 * The no-op pipelines the engine benchmarks run. The runner (to launch) and the worker processes (to execute)
 * build the same definitions; only the workers pass a recorder.
 */
import { z } from 'zod';
import { createRegistry, definePipeline, type PipelineRegistry, type StepContext, type StepDefinition } from '@/lib/engine';
import { wallClockMs, type Execution } from './protocol';

export const FANOUT_WIDTH = 8;
/** 1 root → FANOUT_WIDTH parallel → 1 join. */
export const FANOUT_STEPS = FANOUT_WIDTH + 2;
export const FANOUT_PIPELINE = { namespace: 'bench', name: 'fanout' } as const;
export const CHAIN_PIPELINE = { namespace: 'bench', name: 'chain' } as const;

export const linkName = (index: number) => `link_${String(index).padStart(4, '0')}`;

type Recorder = (execution: Execution) => void;

function noop(record: Recorder | undefined): StepDefinition['handler'] {
  return async (ctx: StepContext) => {
    const startedAt = wallClockMs();
    record?.({ key: `${ctx.taskId}/${ctx.stepName}`, attempt: ctx.attempt, startedAt, finishedAt: wallClockMs() });
    return null;
  };
}

export function buildBenchRegistry(options: { chainLength: number; record?: Recorder }): PipelineRegistry {
  const handler = noop(options.record);
  const parallel = Array.from({ length: FANOUT_WIDTH }, (_, index) => `parallel_${index}`);
  const registry = createRegistry();
  registry.register(
    definePipeline({
      ...FANOUT_PIPELINE,
      version: '1',
      description: 'throughput benchmark: 1 → 8 parallel → 1 no-op steps',
      input: z.object({}),
      steps: [
        { name: 'root', handler },
        ...parallel.map((name) => ({ name, dependsOn: 'root', handler })),
        { name: 'join', dependsOn: parallel, handler },
      ],
    }),
  );
  registry.register(
    definePipeline({
      ...CHAIN_PIPELINE,
      version: '1',
      description: 'hand-off latency benchmark: a linear chain of no-op steps',
      input: z.object({}),
      steps: Array.from({ length: options.chainLength }, (_, index) => ({
        name: linkName(index),
        dependsOn: index === 0 ? undefined : linkName(index - 1),
        handler,
      })),
    }),
  );
  return registry;
}
