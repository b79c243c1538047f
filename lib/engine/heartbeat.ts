/** Worker liveness: extends the leases of a worker's open attempts and records its heartbeat. */
import os from 'node:os';
import type pg from 'pg';

/** Returns the attempts that are still open and now leased further; any other was closed by someone else. */
export async function renewLeases(pool: pg.Pool, options: { attemptIds: readonly number[]; leaseMs: number }): Promise<Set<number>> {
  if (options.attemptIds.length === 0) return new Set();
  const renewed = await pool.query<{ id: number }>(
    `UPDATE step_attempts SET lease_expires_at = now() + make_interval(secs => $2::float8 / 1000)
      WHERE id = ANY ($1::bigint[]) AND finished_at IS NULL
      RETURNING id`,
    [options.attemptIds, options.leaseMs],
  );
  return new Set(renewed.rows.map((row) => Number(row.id)));
}

export async function recordWorkerHeartbeat(
  pool: pg.Pool,
  worker: { id: string; concurrency: number; pipelines: readonly string[]; stopped?: boolean; starting?: boolean },
): Promise<void> {
  await pool.query(
    `INSERT INTO workers (id, hostname, pid, concurrency, pipelines, last_heartbeat_at, stopped_at)
     VALUES ($1, $2, $3, $4, $7, now(), CASE WHEN $5 THEN now() END)
     ON CONFLICT (id) DO UPDATE
       SET last_heartbeat_at = now(), concurrency = EXCLUDED.concurrency, pipelines = EXCLUDED.pipelines,
           -- Only a start clears a stop: a heartbeat that lands after the stop record must not mark the worker alive.
           -- (A deployment may reuse a worker id across restarts, so the start does clear it.)
           stopped_at = CASE WHEN $6 THEN NULL ELSE coalesce(workers.stopped_at, EXCLUDED.stopped_at) END`,
    [worker.id, os.hostname(), process.pid, worker.concurrency, worker.stopped ?? false, worker.starting ?? false, [...worker.pipelines]],
  );
}
