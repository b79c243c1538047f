/**
 * The contract between a pipeline and the generic app: everything the console, the HTTP API, delivery and the status
 * page may know of a pipeline comes through a PipelineModule. Generic code receives modules from lib/runtime (the
 * composition root) and never imports lib/pipelines/* itself.
 */
import type { DbHandle } from '@/db/client';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import type { JsonValue, PipelineDefinition, PipelineRegistry } from '@/lib/engine';
import type { VolumeMeasure } from '@/lib/monitoring/volume-guard';

/** What starting a run came to: a new task, or one the pipeline's start policy reused; or why the input was refused. */
export type StartResult =
  | {
      ok: true;
      taskId: string;
      status: string;
      created: boolean;
      reused?: boolean;
      alreadyRunning?: boolean;
      /** When nothing new started: what the person can do about it, in the start form's words. */
      explanation?: string;
    }
  | { ok: false; issues: { path: string; message: string }[] };

/**
 * What a pipeline adds to its generated start form that its input schema cannot say at definition time: values to
 * prefill (e.g. yesterday's window, which changes every day) and the bounds of its date inputs, by field name
 * (`date_range.end_date`). The schema still decides what is valid; these only prefill and hint.
 */
export interface StartFormHints {
  /** Input-shaped values, nested like the input; a field without one keeps the schema's default. */
  prefill?: unknown;
  bounds?: Readonly<Record<string, { min?: string; max?: string }>>;
}

/**
 * A schedule the pipeline brings (besides a delivered pipeline's daily one): created once per database with the
 * pipeline's newest version, after which operators own it (edit, pause, delete on /schedules).
 */
export interface PipelineSchedule {
  /** Unique across the deployment: it is part of every firing's idempotency key. */
  name: string;
  cronExpression: string;
  /** The input of each firing's run; `{{today}}`, `{{yesterday}}`, `{{days_ago:N}}` are the firing's local days. */
  inputTemplate: JsonValue;
  /** IANA zone of the cron expression; DELIVERY_TIMEZONE when absent. */
  timeZone?: string;
  /** HH:MM local to the zone a firing's run is due by (an alert when at risk or missed); none when absent. */
  deadline?: string;
}

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
  /** Prefill and date bounds for the start form generated from the input schema (`/runs/new?pipeline=`). */
  startForm?(now: Date): StartFormHints;
  /** Which steps measure the run's volume, for the volume-drop check (lib/monitoring/volume-guard.ts). */
  volume?: VolumeMeasure;
  /**
   * Present when the pipeline's runs are a daily data delivery (a dashboard due by the deadline): how its input
   * carries a data window and its daily schedule. The delivery, the dashboard, backfills, the calendar and the
   * status page follow the pipeline lib/runtime picks among these.
   */
  delivery?: DeliveredPipeline;
  /** Schedules seeded for this pipeline (a delivered pipeline's daily schedule is its `delivery.schedule`). */
  schedules?: readonly PipelineSchedule[];
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
