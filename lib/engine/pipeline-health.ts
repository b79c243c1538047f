/**
 * Counts behind the reliability figures (lib/reliability): per period, how many of a pipeline's runs there were,
 * how many failed, how many needed a person, and how failed attempts fared — each period one set-based pass in the
 * database, never the runs loaded into Node. And, for the few runs behind a late or missed day, what failed first.
 */
import type { EngineReader, PipelineRef } from './read-api';

export interface RunHealthCounts {
  /** Start of the period (inclusive): runs created at or after it. */
  since: Date;
  runs: number;
  /** Runs that have finished (completed, failed or cancelled). */
  finished: number;
  failed: number;
  /** Runs where an operator acted: an operation (retry, rerun, resolve, complete, cancel) or a step resolved by hand. */
  neededPerson: number;
  /** Failed attempts (failed, timed out, lost) a later attempt of the same step completed with no operator in between. */
  recoveredAttempts: number;
  /** Failed attempts whose fate is known: fixed, or their run has finished. */
  knownFailedAttempts: number;
}

/** One row per period start, in the order given. The recovery rule is status_automatic_recovery's (drizzle/0038). */
export async function readRunHealthCounts(db: EngineReader, pipeline: PipelineRef, periodStarts: readonly Date[]): Promise<RunHealthCounts[]> {
  if (periodStarts.length === 0) return [];
  const { rows } = await db.query<Omit<RunHealthCounts, 'since'> & { ord: number }>(
    `SELECT p.ord::int AS ord, c.runs, c.finished, c.failed, c."neededPerson", r.recovered AS "recoveredAttempts", r.known AS "knownFailedAttempts"
       FROM unnest($3::timestamptz[]) WITH ORDINALITY AS p(since, ord)
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS runs,
               count(*) FILTER (WHERE t.status IN ('completed', 'failed', 'cancelled'))::int AS finished,
               count(*) FILTER (WHERE t.status = 'failed')::int AS failed,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM task_operations o WHERE o.task_id = t.id)
                                   OR EXISTS (SELECT 1 FROM steps s WHERE s.task_id = t.id AND s.status = 'resolved_manually'))::int AS "neededPerson"
          FROM tasks t
         WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= p.since) c
      CROSS JOIN LATERAL status_automatic_recovery($1, $2, p.since) r
      ORDER BY p.ord`,
    [pipeline.namespace, pipeline.name, periodStarts],
  );
  return rows.map(({ ord, ...counts }) => ({ since: periodStarts[ord - 1] ?? new Date(0), ...counts }));
}

export interface RunFailureCause {
  taskId: string;
  stepName: string;
  errorClass: string | null;
  failedAt: Date;
}

/** For each given run with a failed attempt, the first one (the step and error class that started its trouble). */
export async function readFirstFailures(db: EngineReader, taskIds: readonly string[]): Promise<RunFailureCause[]> {
  if (taskIds.length === 0) return [];
  const { rows } = await db.query<RunFailureCause>(
    `SELECT DISTINCT ON (a.task_id) a.task_id AS "taskId", a.step_name AS "stepName", a.error_class AS "errorClass", a.finished_at AS "failedAt"
       FROM step_attempts a
      WHERE a.task_id = ANY ($1::uuid[]) AND a.outcome IN ('failed', 'timed_out', 'lost') AND a.finished_at IS NOT NULL
      ORDER BY a.task_id, a.finished_at, a.id`,
    [taskIds],
  );
  return rows;
}
