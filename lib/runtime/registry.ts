/**
 * The pipelines of this app, as PipelineModules, and the registry built from them: every process (web, `npm run
 * worker`) builds the same one, so any worker can run any task. A pipeline lives in lib/pipelines/<name>/ and is
 * added here with one line; this is the only module outside the pipelines that imports them.
 */
import { readTaskResultsById } from '@/lib/pipelines/customer-analytics/results';
import { startCustomerAnalyticsRun } from '@/lib/pipelines/customer-analytics/start-run';
import { customerAnalyticsStartForm } from '@/lib/pipelines/customer-analytics/start-form';
import { createRegistry, type PipelineRegistry } from '@/lib/engine';
import type { BackfillPipelines } from '@/lib/backfills/request';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { customerAnalyticsDelivery, customerAnalyticsPipeline, customerAnalyticsVolume } from '@/lib/pipelines/customer-analytics';
import { customerRetentionModule } from '@/lib/pipelines/customer-retention';
import { currentDefinition, type PipelineModule } from '@/lib/platform/pipeline-module';
import type { DeliverySettings } from '@/lib/delivery/clock';
import { deliverySettingsOf } from '@/lib/delivery/policy';
import { defaultScheduleDeclaration, type DeclaredSchedule } from '@/lib/scheduling/schedules';

/** customer_analytics with the seed's /analytics/* behaviour: its start policy and its results. */
const customerAnalyticsModule: PipelineModule = {
  definitions: [customerAnalyticsPipeline],
  readResults: (db, taskId) => readTaskResultsById(db, taskId),
  volume: customerAnalyticsVolume,
  delivery: customerAnalyticsDelivery,
  startForm: customerAnalyticsStartForm,
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
      explanation: outcome.kind === 'reused' ? 'Tick “Force refresh” to compute the window again.' : undefined,
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

/**
 * Every schedule the pipelines declare, seeded once per database: the delivered pipeline's daily one (due by its
 * delivery deadline) and each module's own.
 */
export function declaredSchedules(settings: DeliverySettings, modules: readonly PipelineModule[] = pipelineModules()): DeclaredSchedule[] {
  const delivered = deliveredPipeline(modules);
  const own = modules.flatMap((module) => {
    const { namespace, name } = currentDefinition(module);
    return (module.schedules ?? []).map(
      (schedule): DeclaredSchedule => ({
        namespace,
        pipelineName: name,
        name: schedule.name,
        cronExpression: schedule.cronExpression,
        inputTemplate: schedule.inputTemplate,
        timeZone: schedule.timeZone ?? settings.timeZone,
        deadlineLocalTime: schedule.deadline ?? null,
      }),
    );
  });
  return [defaultScheduleDeclaration(delivered, deliverySettingsOf(delivered, settings)), ...own];
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
