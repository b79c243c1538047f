/**
 * purgeHistory: deletes what is older than the retention period, in batches so no statement holds many locks or
 * runs long beside the hot path — outbox events (with their deliveries) whose every delivery is done, and
 * finished attempts of finished tasks. An event with a pending or dead delivery is kept whatever its age, and so
 * is one the fan-out has not reached yet.
 *
 * Each batch finds its rows from the oldest id up to the first row inside the retention period, so a purge costs
 * what it deletes (plus the few events kept for their dead letters), not the size of the tables.
 */
import type pg from 'pg';

export interface PurgeOptions {
  retentionDays: number;
  /** Rows per statement. */
  batchSize?: number;
  /** Checked between batches (shutdown). */
  keepGoing?(): boolean;
}

export interface PurgeResult {
  events: number;
  attempts: number;
}

const PURGE_EVENTS = `
  WITH bound AS (
    SELECT least((SELECT id FROM task_events WHERE created_at >= now() - make_interval(days => $1) ORDER BY id LIMIT 1),
                 (SELECT last_event_id + 1 FROM event_fanout WHERE id = 1)) AS below
  ), doomed AS (
    SELECT e.id FROM task_events e, bound
     WHERE e.id < bound.below
       AND NOT EXISTS (SELECT 1 FROM event_deliveries d
                        WHERE d.event_id = e.id AND d.delivered_at IS NULL)
     ORDER BY e.id
     LIMIT $2
     FOR UPDATE SKIP LOCKED
  )
  DELETE FROM task_events e USING doomed WHERE e.id = doomed.id`;

const PURGE_ATTEMPTS = `
  WITH bound AS (
    SELECT coalesce((SELECT id FROM step_attempts WHERE started_at >= now() - make_interval(days => $1) ORDER BY id LIMIT 1),
                    (SELECT coalesce(max(id), 0) + 1 FROM step_attempts)) AS below
  ), doomed AS (
    SELECT a.id FROM step_attempts a JOIN tasks t ON t.id = a.task_id, bound
     WHERE a.id < bound.below AND a.finished_at IS NOT NULL
       AND t.status IN ('completed', 'failed', 'cancelled')
     ORDER BY a.id
     LIMIT $2
     FOR UPDATE OF a SKIP LOCKED
  )
  DELETE FROM step_attempts a USING doomed WHERE a.id = doomed.id`;

export async function purgeHistory(pool: pg.Pool, options: PurgeOptions): Promise<PurgeResult> {
  const batchSize = options.batchSize ?? 1_000;
  const keepGoing = options.keepGoing ?? (() => true);
  const result: PurgeResult = { events: 0, attempts: 0 };
  for (const [key, statement] of [['events', PURGE_EVENTS], ['attempts', PURGE_ATTEMPTS]] as const) {
    while (keepGoing()) {
      const deleted = (await pool.query(statement, [options.retentionDays, batchSize])).rowCount ?? 0;
      result[key] += deleted;
      if (deleted < batchSize) break;
    }
  }
  return result;
}
