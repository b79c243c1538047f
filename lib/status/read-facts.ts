/**
 * The facts the public status is derived from: publications from the snapshot table, and from the engine's history
 * only what the derivation can use — a bounded set of candidate runs and the recovery counts, both computed in the
 * database (drizzle/0038_status_aggregates.sql), so the cost of a status page does not grow with the runs and
 * attempts of its 92 days. Candidate runs are read through the engine's read API and classified by the delivery
 * definition. Selects only states, counts and timestamps: no error text, step results or customer data ever leave
 * this module.
 */
import type pg from 'pg';
import { readBackfillRunIds } from '@/lib/delivery/backfill-runs';
import { classifyRun, type DeliveredPipeline, type DeliveryKind, type DeliveryPolicy } from '@/lib/delivery/definition';
import { readRunsFacts, type RunFacts } from '@/lib/engine';
import type { DeliverySettings } from '@/lib/delivery/clock';
import { addDays, instantOf, localDateOf } from '@/lib/time/zoned-time';
import { HISTORY_DAYS, type DeliveryFact, type RecoveryFact, type RunFact, type StatusFacts } from './derive';

/** Start of the period whose runs and publications can affect the 90 history cells (a day of margin either side). */
export function factsSince(now: Date, settings: DeliverySettings): Date {
  const firstDay = addDays(localDateOf(now, settings.timeZone), -HISTORY_DAYS);
  return instantOf(addDays(firstDay, -1), '00:00', settings.timeZone);
}

interface PublishedRow {
  window_start: string;
  window_end: string;
  published_at: Date;
  held_at: Date | null;
  kind: DeliveryKind | null;
}

const PUBLISHED_COLUMNS = `window_start::text AS window_start, window_end::text AS window_end, published_at, held_at, kind`;

/** The ids of the runs created since `since` that can decide a status answer (status_candidate_runs explains which). */
async function readCandidateRunIds(pool: pg.Pool, pipeline: DeliveredPipeline, since: Date, timeZone: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM status_candidate_runs($1, $2, $3, $4) AS id`, [
    pipeline.namespace, pipeline.name, since, timeZone,
  ]);
  return rows.map((row) => row.id);
}

async function readRecovery(pool: pg.Pool, pipeline: DeliveredPipeline, since: Date): Promise<RecoveryFact> {
  const { rows } = await pool.query<RecoveryFact>(`SELECT recovered, known FROM status_automatic_recovery($1, $2, $3)`, [
    pipeline.namespace, pipeline.name, since,
  ]);
  return rows[0] ?? { recovered: 0, known: 0 };
}

/** Runs as the derivation sees them: each classified by its window and creation day, and whether it is held. */
export async function classifyRuns(pool: pg.Pool, runs: readonly RunFacts[], policy: DeliveryPolicy): Promise<RunFact[]> {
  const ids = runs.map((run) => run.id);
  const [held, backfillRuns] = await Promise.all([
    pool.query<{ task_id: string }>(`SELECT task_id FROM analytics.dashboard_snapshots WHERE state = 'held' AND task_id = ANY ($1::uuid[])`, [ids]),
    // A failed or running backfill of the window due today is not that day's delivery attempt.
    readBackfillRunIds(pool, ids),
  ]);
  const heldRuns = new Set(held.rows.map((row) => row.task_id));
  return runs.map((run): RunFact => {
    const window = policy.pipeline.windowOf(run.context);
    return {
      id: run.id,
      status: run.status,
      windowEnd: window?.end ?? null,
      createdAt: run.createdAt,
      completedAt: run.completedAt,
      stepsTotal: run.stepsTotal,
      stepsDone: run.stepsDone,
      retrying: run.retrying,
      operatorActed: run.operatorActed,
      kind: window ? classifyRun(window, run.createdAt, policy, { fromBackfill: backfillRuns.has(run.id) }) : null,
      held: heldRuns.has(run.id),
    };
  });
}

export async function readStatusFacts(pool: pg.Pool, now: Date, policy: DeliveryPolicy): Promise<StatusFacts> {
  const since = factsSince(now, policy);
  const [published, latest, candidates, recovery] = await Promise.all([
    pool.query<PublishedRow>(
      `SELECT ${PUBLISHED_COLUMNS} FROM analytics.dashboard_snapshots
        WHERE state = 'published' AND published_at >= $1 AND kind IS DISTINCT FROM 'backfill' AND kind IS DISTINCT FROM 'ad_hoc'
        ORDER BY published_at`,
      [since],
    ),
    // Deliveries only; the few newest candidates suffice, since rows without a stored kind are classified here.
    pool.query<PublishedRow>(
      `SELECT ${PUBLISHED_COLUMNS} FROM analytics.dashboard_snapshots
        WHERE state = 'published' AND kind IS DISTINCT FROM 'backfill' AND kind IS DISTINCT FROM 'ad_hoc'
        ORDER BY window_end DESC, published_at DESC LIMIT 20`,
    ),
    readCandidateRunIds(pool, policy.pipeline, since, policy.timeZone),
    readRecovery(pool, policy.pipeline, since),
  ]);
  const runs = await classifyRuns(pool, await readRunsFacts(pool, candidates), policy);
  const isDelivery = (row: PublishedRow) =>
    (row.kind ?? classifyRun({ start: row.window_start, end: row.window_end }, row.published_at, policy)) === 'delivery';
  const delivery = (row: { window_end: string; published_at: Date }): DeliveryFact => ({ windowEnd: row.window_end, publishedAt: row.published_at });
  return {
    deliveries: published.rows.filter(isDelivery).map(delivery),
    latestDelivery: latest.rows.filter(isDelivery).map(delivery)[0] ?? null,
    runs,
    recovery,
  };
}
