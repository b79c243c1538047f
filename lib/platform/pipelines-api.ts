/**
 * The HTTP API for every registered pipeline (Tasker's /tasker/handlers and /tasker/tasks): what is registered, start
 * a run of any pipeline, a run's status and what it published. Routes in app/api/ are thin adapters over these.
 */
import type { DbHandle } from '@/db/client';
import { InputValidationError, launchTask, readTaskFacts, type PipelineRegistry } from '@/lib/engine';
import { currentDefinition, findPipelineModule, type PipelineModule, type StartResult } from './pipeline-module';

export interface PipelineStepView {
  name: string;
  depends_on: string[];
  retry_limit: number;
  timeout_ms: number | null;
  severity: string | null;
  maps_over: string | null;
}

export interface PipelineView {
  namespace: string;
  name: string;
  version: string;
  definition_hash: string;
  description: string;
  steps: PipelineStepView[];
}

/** Every served version of every pipeline, newest first per pipeline. */
export function describePipelines(modules: readonly PipelineModule[]): { pipelines: PipelineView[] } {
  return {
    pipelines: modules.flatMap((module) =>
      module.definitions.map((definition) => ({
        namespace: definition.namespace,
        name: definition.name,
        version: definition.version,
        definition_hash: definition.definitionHash,
        description: definition.description,
        steps: definition.steps.map((step) => ({
          name: step.name,
          depends_on: step.dependsOn,
          retry_limit: step.retryLimit,
          timeout_ms: step.timeoutMs,
          severity: typeof step.metadata.severity === 'string' ? step.metadata.severity : null,
          maps_over: step.map?.over ?? null,
        })),
      })),
    ),
  };
}

export const knownPipelineNames = (modules: readonly PipelineModule[]) =>
  modules.map((module) => `${currentDefinition(module).namespace}/${currentDefinition(module).name}`);

export type StartRequestOutcome =
  | { kind: 'unknown_pipeline'; message: string }
  | { kind: 'ambiguous_pipeline'; message: string; choices: string[] }
  | { kind: 'started'; module: PipelineModule; result: StartResult };

/**
 * Starts a run of the named pipeline with `input`: through the pipeline's start policy when it has one, else a new
 * run of its newest version (an idempotency key makes a retried request return the same run). Nothing is written
 * when the input is refused.
 */
export async function startPipelineRun(
  db: DbHandle,
  registry: PipelineRegistry,
  modules: readonly PipelineModule[],
  request: { pipeline: string; input: unknown; initiator: string; idempotencyKey?: string; reason?: string },
): Promise<StartRequestOutcome> {
  const found = findPipelineModule(modules, request.pipeline);
  if (found === null) {
    return { kind: 'unknown_pipeline', message: `No pipeline named "${request.pipeline}" is registered; known: ${knownPipelineNames(modules).join(', ')}` };
  }
  if ('ambiguous' in found) {
    return {
      kind: 'ambiguous_pipeline',
      message: `More than one pipeline is named "${request.pipeline}"; name it with its namespace: ${found.ambiguous.join(', ')}`,
      choices: found.ambiguous,
    };
  }
  const { module } = found;
  if (module.start) return { kind: 'started', module, result: await module.start(db, registry, request.input, request.initiator) };
  const definition = currentDefinition(module);
  try {
    const launched = await launchTask(db, registry, {
      namespace: definition.namespace,
      name: definition.name,
      version: definition.version,
      context: request.input,
      initiator: request.initiator,
      idempotencyKey: request.idempotencyKey === undefined ? undefined : `api:${definition.namespace}/${definition.name}:${request.idempotencyKey}`,
      reason: request.reason ?? 'started over the HTTP API',
    });
    // A repeated idempotency key answers with the run it started, as it is now.
    const status = launched.created ? 'pending' : ((await readTaskFacts(db.pool, launched.taskId))?.status ?? 'pending');
    return { kind: 'started', module, result: { ok: true, taskId: launched.taskId, status, created: launched.created } };
  } catch (error) {
    if (error instanceof InputValidationError) return { kind: 'started', module, result: { ok: false, issues: error.issues } };
    throw error;
  }
}
