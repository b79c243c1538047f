/**
 * The two signals cached answers are versioned by.
 *
 * - Stored versions: the snapshot table, the schedules (the delivery policy: time zone, window, tracking start) and
 *   the backfill days, read from the database on every request (one small query). A publish changes it in the very
 *   transaction that publishes, so the first request that can see the new snapshot also sees the new version: no
 *   answer computed before a publish is served after it. The same holds for a schedule edit or a backfill.
 * - Everything else an answer shows about runs (a run started, a step is retrying, a run failed): the engine
 *   announces every change of a task on its events channel; the process's live hub (lib/live) listens, and each
 *   notification bumps a counter. While the hub is not listening (connecting, or reconnecting after a lost
 *   connection) the counter is replaced by a clock that ticks every `unheardTickMs`, so answers are then at
 *   most that old instead of frozen.
 */
import type pg from 'pg';
import type { LiveHub } from '@/lib/live/hub';

export async function readStoredVersion(pool: pg.Pool): Promise<string> {
  // Every write to a row gives it a new xmin, so (count, highest xmin) changes with any insert, update or delete —
  // a publish, a hold for review, a release, a new default view, a paused schedule, a launched backfill day —
  // whichever columns those writes touch. Each table holds a row per run, schedule or backfilled day: the scans
  // stay small.
  const { rows } = await pool.query<{ version: string }>(
    `SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::int8), 0) FROM analytics.dashboard_snapshots)
            || '/' || (SELECT count(*) || ':' || coalesce(max(xmin::text::int8), 0) FROM schedules)
            || '/' || (SELECT count(*) || ':' || coalesce(max(xmin::text::int8), 0) FROM backfill_days) AS version`,
  );
  return rows[0]?.version ?? 'none';
}

export interface ChangeFeed {
  /** Changes whenever the engine announced a change of any task since the last call could have seen. */
  generation(): string;
  close(): void;
}

export function createChangeFeed(hub: LiveHub, options: { unheardTickMs?: number; now?: () => number } = {}): ChangeFeed {
  const tickMs = options.unheardTickMs ?? 1_000;
  const now = options.now ?? Date.now;
  let counter = 0;
  // Every message counts: a task change, a resync after reconnecting (changes may have been missed), or the
  // listening state flipping.
  const unsubscribe = hub.subscribe(() => {
    counter += 1;
  });
  return {
    generation: () => (hub.isListening() ? `n${counter}` : `t${Math.floor(now() / tickMs)}`),
    close: unsubscribe,
  };
}
