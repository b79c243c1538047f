/**
 * The steps failed now, for failure triage (lib/console/failures.ts): grouped by pipeline, step (a mapped child under
 * its mapped step) and error class, and a group's steps. The engine owns these tables, so their SQL lives here.
 */
import type pg from 'pg';

export const UNKNOWN_ERROR_CLASS = 'Error';
/** A sample message is cut here: it identifies the failure, the run page holds the whole error. */
const SAMPLE_MESSAGE_CHARS = 500;

export interface FailedStepGroupRow {
  namespace: string;
  name: string;
  step: string;
  errorClass: string;
  failedSteps: number;
  runs: number;
  firstSeen: string;
  lastSeen: string;
  sampleMessage: string | null;
  runIds: string[];
}

/*
 * The failing steps, spelled once for the list and for a group's steps. `status = 'failed'` is the predicate of
 * steps_failed_idx (drizzle/0041), so the scan is as long as the number of steps failed now, not all of history.
 * A mapped step's child carries its mapped step in map_parent: the same grouping as groupingStepName, from the row.
 * last_error.at is when the last attempt failed; rows written without it fall back to the step's last change.
 */
const FAILING_STEPS = `
  SELECT t.namespace, t.name, t.created_at AS task_created_at, s.task_id, s.name AS step_name, s.position, s.map_index,
         coalesce(s.map_parent, s.name) AS step,
         coalesce(s.last_error ->> 'class', '${UNKNOWN_ERROR_CLASS}') AS error_class,
         s.last_error ->> 'message' AS message,
         coalesce((s.last_error ->> 'at')::timestamptz, s.updated_at) AS failed_at
    FROM steps s
    JOIN tasks t ON t.id = s.task_id
   WHERE s.status = 'failed' AND t.status <> 'cancelled'`;

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export async function readFailedStepGroups(
  pool: pg.Pool,
  filter: { namespace: string | null; name: string | null; step: string | null; errorClass: string | null; runIds: number },
): Promise<FailedStepGroupRow[]> {
  const result = await pool.query<FailedStepGroupRow>(
    `WITH failing AS (${FAILING_STEPS}
                      AND ($1::text IS NULL OR t.namespace = $1) AND ($2::text IS NULL OR t.name = $2)),
          per_run AS (
            SELECT namespace, name, step, error_class, task_id, count(*) AS failed_steps,
                   min(failed_at) AS first_at, max(failed_at) AS last_at,
                   (array_agg(message ORDER BY failed_at DESC))[1] AS message
              FROM failing
             WHERE ($3::text IS NULL OR step = $3) AND ($4::text IS NULL OR error_class = $4)
             GROUP BY namespace, name, step, error_class, task_id)
     SELECT namespace, name, step, error_class AS "errorClass",
            sum(failed_steps)::int AS "failedSteps", count(*)::int AS runs,
            ${ISO('min(first_at)')} AS "firstSeen", ${ISO('max(last_at)')} AS "lastSeen",
            left((array_agg(message ORDER BY last_at DESC))[1], ${SAMPLE_MESSAGE_CHARS}) AS "sampleMessage",
            (array_agg(task_id::text ORDER BY last_at DESC, task_id DESC))[1:${filter.runIds}] AS "runIds"
       FROM per_run
      GROUP BY namespace, name, step, error_class
      ORDER BY max(last_at) DESC, namespace, name, step, error_class`,
    [filter.namespace, filter.name, filter.step, filter.errorClass],
  );
  return result.rows;
}

export async function readGroupFailedSteps(
  pool: pg.Pool,
  key: { namespace: string; name: string; step: string; errorClass: string },
  limit: number,
): Promise<{ run: string; step: string }[]> {
  const result = await pool.query<{ run: string; step: string }>(
    `SELECT task_id::text AS run, step_name AS step
       FROM (${FAILING_STEPS} AND t.namespace = $1 AND t.name = $2) failing
      WHERE step = $3 AND error_class = $4
      ORDER BY task_created_at, task_id, position, map_index NULLS FIRST
      LIMIT $5`,
    [key.namespace, key.name, key.step, key.errorClass, limit],
  );
  return result.rows;
}
