/**
 * The pipeline registry of this app: every process (web, `npm run worker`) builds the same one, so any
 * worker can run any task. Pipelines live in lib/pipelines/<name>/ and export their definitions.
 */
import { createRegistry, type PipelineRegistry } from '@/lib/engine';
import { customerAnalyticsPipeline } from '@/lib/pipelines/customer-analytics';

export function buildRegistry(): PipelineRegistry {
  const registry = createRegistry();
  registry.register(customerAnalyticsPipeline);
  return registry;
}

const globalForRegistry = globalThis as typeof globalThis & { nightshiftRegistry?: PipelineRegistry };

/** The web process's one registry, built once: its engine host runs tasks and its route handlers and server actions launch them through it. */
export function appRegistry(): PipelineRegistry {
  globalForRegistry.nightshiftRegistry ??= buildRegistry();
  return globalForRegistry.nightshiftRegistry;
}
