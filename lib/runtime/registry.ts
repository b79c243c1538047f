/**
 * The pipelines of this app, as PipelineModules, and the registry built from them: every process (web, `npm run
 * worker`) builds the same one, so any worker can run any task. A pipeline lives in lib/pipelines/<name>/ and is
 * added here with one line; this is the only module outside the pipelines that imports them.
 */
import { readTaskResultsById } from '@/lib/analytics/results';
import { startCustomerAnalyticsRun } from '@/lib/analytics/start-run';
import { createRegistry, type PipelineRegistry } from '@/lib/engine';
import { customerAnalyticsPipeline, customerAnalyticsVolume } from '@/lib/pipelines/customer-analytics';
import { customerRetentionModule } from '@/lib/pipelines/customer-retention';
import type { PipelineModule } from '@/lib/platform/pipeline-module';

/** customer_analytics with the seed's /analytics/* behaviour: its start policy and its results. */
const customerAnalyticsModule: PipelineModule = {
  definitions: [customerAnalyticsPipeline],
  readResults: (db, taskId) => readTaskResultsById(db, taskId),
  volume: customerAnalyticsVolume,
  async start(db, registry, input, initiator) {
    const started = await startCustomerAnalyticsRun(db, registry, input, initiator);
    if (!started.ok) return started;
    const { outcome } = started;
    return {
      ok: true,
      taskId: outcome.taskId,
      status: outcome.status,
      created: outcome.kind === 'created',
      reused: outcome.kind === 'reused',
      alreadyRunning: outcome.kind === 'already_running',
    };
  },
};

/** Every pipeline this deployment serves. */
export function pipelineModules(): PipelineModule[] {
  return [customerAnalyticsModule, customerRetentionModule];
}

export function buildRegistry(modules: readonly PipelineModule[] = pipelineModules()): PipelineRegistry {
  const registry = createRegistry();
  for (const pipeline of modules) for (const definition of pipeline.definitions) registry.register(definition);
  return registry;
}

const globalForRegistry = globalThis as typeof globalThis & { nightshiftRegistry?: PipelineRegistry };

/** The web process's one registry, built once: its engine host runs tasks and its route handlers and server actions launch them through it. */
export function appRegistry(): PipelineRegistry {
  globalForRegistry.nightshiftRegistry ??= buildRegistry();
  return globalForRegistry.nightshiftRegistry;
}
