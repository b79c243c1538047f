/**
 * The contract between a pipeline and the generic app: everything the console, the HTTP API, delivery and the status
 * page may know of a pipeline comes through a PipelineModule. Generic code receives modules from lib/runtime (the
 * composition root) and never imports lib/pipelines/* itself.
 */
import type { DbHandle } from '@/db/client';
import type { JsonValue, PipelineDefinition } from '@/lib/engine';
import type { VolumeMeasure } from '@/lib/monitoring/volume-guard';

export interface PipelineModule {
  /**
   * Every version this deployment serves, newest first. New runs get the first; older ones stay registered so the
   * runs pinned to them finish on the graph they started with (retire a version once none of its runs is unfinished).
   */
  definitions: readonly PipelineDefinition[];
  /** What a run published (GET /api/runs/{id}/results); null when it has published nothing (yet). */
  readResults?(db: DbHandle, taskId: string): Promise<JsonValue | null>;
  /** Which steps measure the run's volume, for the volume-drop check (lib/monitoring/volume-guard.ts). */
  volume?: VolumeMeasure;
}

/** The version new runs get. */
export const currentDefinition = (module: PipelineModule): PipelineDefinition => {
  const newest = module.definitions[0];
  if (!newest) throw new Error('A pipeline module must serve at least one version');
  return newest;
};
