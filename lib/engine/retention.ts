/**
 * purgeHistory: deletes what is older than its retention period, in batches so no statement holds many locks or
 * runs long beside the hot path:
 *  - outbox events (with their deliveries) whose every delivery is done, and finished attempts of finished tasks,
 *    after `retentionDays` (EVENT_RETENTION_DAYS). An event with a pending or dead delivery is kept whatever its
 *    age, and so is one the fan-out has not reached yet.
 *  - whole finished runs — the task with its steps, attempts, events (and their deliveries), operations, and what
 *    other tables hang off it by a cascading foreign key — after `runRetentionDays` (RUN_RETENTION_DAYS), unless a
 *    hold keeps it (see RunHold) or one of its events still waits for a delivery.
 *
 * Each event and attempt batch finds its rows from the oldest id up to the first row inside the retention period,
 * so a purge costs what it deletes (plus the few rows kept for their dead letters or holds), not the size of the
 * tables. Runs are found oldest first through tasks_created_at_idx the same way.
 */
import type pg from 'pg';
import type { Logger } from './types';

/**
 * A reason to keep a finished run past its retention, given by the application that stored something the run
 * must outlive (a published snapshot, an active backfill, an open alert): `keepsRun` is an SQL condition on the
 * candidate task, the alias `t` (e.g. `EXISTS (SELECT 1 FROM my_table m WHERE m.task_id = t.id)`). It is evaluated
 * for each candidate run, so it should reach its rows through an index on the task id.
 */
export interface RunHold {
  /** Names the hold in docs and logs. */
  name: string;
  keepsRun: string;
}

export interface PurgeOptions {
  retentionDays: number;
  /** Finished runs older than this are deleted whole; unset, runs are kept (the attempts and events still go). */
  runRetentionDays?: number;
  runHolds?: readonly RunHold[];
  /** Events and attempts per statement. */
  batchSize?: number;
  /** Runs per statement (each its own transaction); default 1,000. */
  runBatchSize?: number;
  /** Checked between batches (shutdown). */
  keepGoing?(): boolean;
  /** Progress of a run purge, once per batch. */
  logger?: Logger;
}

export interface PurgeResult {
  events: number;
  attempts: number;
  runs: number;
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

/**
 * One batch of whole runs, in one statement (so one short transaction). Why it never blocks the hot path:
 *  - Only finished runs qualify, and claims and completions only lock rows of unfinished ones (their ready or
 *    running steps, their pending or running task row): the sets are disjoint.
 *  - The task rows are taken FOR UPDATE SKIP LOCKED: a run an operator is reviving (its task row locked by the
 *    operation) is skipped this time, never waited for, and is no longer finished once the operation commits.
 *  - Both age tests must pass: created before the cutoff (the index order) and finished before it, so a run that
 *    was revived and finished again recently is kept for a full period from its last finish.
 * Its steps, step attempts (through steps), operations and the application's rows with a cascading foreign key go
 * with the task row; the events have no foreign key (see db/schema/engine.ts) and are deleted by task id here,
 * their deliveries by cascade. A run with an event the fan-out has not passed or a delivery not yet done is kept,
 * for the same reason the event purge keeps such events.
 */
function purgeRunsStatement(holds: readonly RunHold[]): string {
  const heldBy = holds.map((hold) => `\n       AND NOT (${hold.keepsRun}) -- hold: ${hold.name.replace(/\s+/g, ' ')}`).join('');
  return `
  WITH doomed AS (
    SELECT t.id FROM tasks t
     WHERE t.created_at < now() - make_interval(days => $1)
       AND t.status IN ('completed', 'failed', 'cancelled')
       AND coalesce(t.completed_at, t.updated_at) < now() - make_interval(days => $1)
       AND NOT EXISTS (SELECT 1 FROM task_events e
                        WHERE e.task_id = t.id
                          AND (e.id > coalesce((SELECT f.last_event_id FROM event_fanout f WHERE f.id = 1), 0)
                               OR EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.id AND d.delivered_at IS NULL)))${heldBy}
     ORDER BY t.created_at, t.id
     LIMIT $2
     FOR UPDATE OF t SKIP LOCKED
  ), events AS (
    DELETE FROM task_events e USING doomed WHERE e.task_id = doomed.id
  ), purged AS (
    DELETE FROM tasks t USING doomed WHERE t.id = doomed.id RETURNING t.created_at
  )
  SELECT count(*)::integer AS runs, max(created_at) AS newest FROM purged`;
}

/** One batch of whole runs (see purgeRunsStatement), on the caller's connection; returns how many it deleted. */
export async function purgeRunBatch(
  client: pg.Pool | pg.PoolClient,
  options: { runRetentionDays: number; runHolds?: readonly RunHold[]; runBatchSize?: number },
): Promise<{ runs: number; newest: Date | null }> {
  const { rows } = await client.query<{ runs: number; newest: Date | null }>(purgeRunsStatement(options.runHolds ?? []), [
    options.runRetentionDays,
    options.runBatchSize ?? 1_000,
  ]);
  return rows[0] ?? { runs: 0, newest: null };
}

export async function purgeHistory(pool: pg.Pool, options: PurgeOptions): Promise<PurgeResult> {
  const batchSize = options.batchSize ?? 1_000;
  const runBatchSize = options.runBatchSize ?? 1_000;
  const keepGoing = options.keepGoing ?? (() => true);
  const result: PurgeResult = { events: 0, attempts: 0, runs: 0 };
  // Runs first: their events and attempts then go with them, and the per-row purges below only thin the history of
  // runs that are kept.
  if (options.runRetentionDays !== undefined) {
    while (keepGoing()) {
      const startedAt = performance.now();
      const batch = await purgeRunBatch(pool, { runRetentionDays: options.runRetentionDays, runHolds: options.runHolds, runBatchSize });
      result.runs += batch.runs;
      if (batch.runs > 0) {
        options.logger?.info(
          { runs: batch.runs, runsSoFar: result.runs, newestPurgedRunCreatedAt: batch.newest, batchMs: Math.round(performance.now() - startedAt), runRetentionDays: options.runRetentionDays },
          'purged a batch of finished runs past their retention',
        );
      }
      if (batch.runs < runBatchSize) break;
    }
  }
  for (const [key, statement] of [['events', PURGE_EVENTS], ['attempts', PURGE_ATTEMPTS]] as const) {
    while (keepGoing()) {
      const deleted = (await pool.query(statement, [options.retentionDays, batchSize])).rowCount ?? 0;
      result[key] += deleted;
      if (deleted < batchSize) break;
    }
  }
  return result;
}
