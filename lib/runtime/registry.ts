/**
 * The pipelines of this app, as PipelineModules, and the registry built from them: every process (web, `npm run
 * worker`) builds the same one, so any worker can run any task. A pipeline lives in lib/pipelines/<name>/ and is
 * added here with one line; this is the only module outside the pipelines that imports them.
 */
import { readTaskResultsById } from '@/lib/pipelines/customer-analytics/results';
import { startCustomerAnalyticsRun } from '@/lib/pipelines/customer-analytics/start-run';
import { createRegistry, type PipelineRegistry } from '@/lib/engine';
import type { BackfillPipelines } from '@/lib/backfills/request';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { customerAnalyticsDelivery, customerAnalyticsPipeline, customerAnalyticsVolume } from '@/lib/pipelines/customer-analytics';
import { customerRetentionModule } from '@/lib/pipelines/customer-retention';
import type { PipelineModule } from '@/lib/platform/pipeline-module';

/** customer_analytics with the seed's /analytics/* behaviour: its start policy and its results. */
const customerAnalyticsModule: PipelineModule = {
  definitions: [customerAnalyticsPipeline],
  readResults: (db, taskId) => readTaskResultsById(db, taskId),
  volume: customerAnalyticsVolume,
  delivery: customerAnalyticsDelivery,
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

/**
 * The pipeline the daily delivery follows (the dashboard, the delivery calendar, backfills, the status page): the
 * one module that declares a delivery. One today, by design: the executive dashboard shows one delivery.
 */
export function deliveredPipeline(modules: readonly PipelineModule[] = pipelineModules()): DeliveredPipeline {
  const delivered = modules.flatMap((module) => (module.delivery ? [module.delivery] : []));
  const [only] = delivered;
  if (!only || delivered.length > 1) {
    throw new Error(`Exactly one pipeline module must declare a delivery; found ${delivered.map((pipeline) => pipeline.name).join(', ') || 'none'}`);
  }
  return only;
}

/** What backfills work with: the app's registry and the delivered pipeline whose days they fill. */
export function appBackfillPipelines(): BackfillPipelines {
  return { registry: appRegistry(), delivered: deliveredPipeline() };
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
