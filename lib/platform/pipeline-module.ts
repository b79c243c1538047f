/**
 * The contract between a pipeline and the generic app: everything the console, the HTTP API, delivery and the status
 * page may know of a pipeline comes through a PipelineModule. Generic code receives modules from lib/runtime (the
 * composition root) and never imports lib/pipelines/* itself.
 */
import type { DbHandle } from '@/db/client';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import type { PipelineDefinition, PipelineRegistry } from '@/lib/engine';
import type { VolumeMeasure } from '@/lib/monitoring/volume-guard';

/** What starting a run came to: a new task, or one the pipeline's start policy reused; or why the input was refused. */
export type StartResult =
  | { ok: true; taskId: string; status: string; created: boolean; reused?: boolean; alreadyRunning?: boolean }
  | { ok: false; issues: { path: string; message: string }[] };

export interface PipelineModule {
  /**
   * Every version this deployment serves, newest first. New runs get the first; older ones stay registered so the
   * runs pinned to them finish on the graph they started with (retire a version once none of its runs is unfinished).
   */
  definitions: readonly PipelineDefinition[];
  /**
   * What a run published (GET /api/runs/{id}/results), as a JSON-serializable value; null when it has published
   * nothing (yet).
   */
  readResults?(db: DbHandle, taskId: string): Promise<unknown>;
  /**
   * The pipeline's start policy (e.g. reuse a published run of the same window, join one in flight), used by every
   * launch path that starts one run on request (the form, the HTTP API). Without it a request always launches a new
   * run of the newest version.
   */
  start?(db: DbHandle, registry: PipelineRegistry, input: unknown, initiator: string): Promise<StartResult>;
  /** Which steps measure the run's volume, for the volume-drop check (lib/monitoring/volume-guard.ts). */
  volume?: VolumeMeasure;
  /**
   * Present when the pipeline's runs are a daily data delivery (a dashboard due by the deadline): how its input
   * carries a data window and its daily schedule. The delivery, the dashboard, backfills, the calendar and the
   * status page follow the pipeline lib/runtime picks among these.
   */
  delivery?: DeliveredPipeline;
}

/** The version new runs get. */
export const currentDefinition = (module: PipelineModule): PipelineDefinition => {
  const newest = module.definitions[0];
  if (!newest) throw new Error('A pipeline module must serve at least one version');
  return newest;
};

/** The module whose pipeline is `name` (or `namespace/name`); the choices when a bare name is ambiguous. */
export function findPipelineModule(
  modules: readonly PipelineModule[],
  name: string,
): { module: PipelineModule } | { ambiguous: string[] } | null {
  const matches = modules.filter((module) => {
    const { namespace, name: pipelineName } = currentDefinition(module);
    return pipelineName === name || `${namespace}/${pipelineName}` === name;
  });
  const [only] = matches;
  if (matches.length === 1 && only) return { module: only };
  if (matches.length > 1) return { ambiguous: matches.map((module) => `${currentDefinition(module).namespace}/${currentDefinition(module).name}`) };
  return null;
}

/** The module serving a run of `namespace/name`, whatever its version. */
export function moduleOfRun(modules: readonly PipelineModule[], run: { namespace: string; name: string }): PipelineModule | undefined {
  return modules.find((module) => module.definitions.some((definition) => definition.namespace === run.namespace && definition.name === run.name));
}
