/**
 * The facts the public status is derived from, read through the engine's read API and from the snapshot table, each
 * run and publication classified by the delivery definition. Selects only states, counts and timestamps: no error
 * text, step results or customer data ever leave this module.
 */
import type pg from 'pg';
import { readBackfillRunIds } from '@/lib/delivery/backfill-runs';
import { classifyRun, type DeliveryKind, type DeliveryPolicy } from '@/lib/delivery/definition';
import { listFinishedAttempts, listPipelineOperations, listPipelineRuns } from '@/lib/engine';
import type { DeliverySettings } from '@/lib/delivery/clock';
import { addDays, instantOf, localDateOf } from '@/lib/time/zoned-time';
import { HISTORY_DAYS, type AttemptFact, type DeliveryFact, type OperationFact, type RunFact, type StatusFacts } from './derive';

/** The attempt outcomes the recovery rate counts: a success, or a failure a later attempt may have fixed. */
const RECOVERY_OUTCOMES = ['completed', 'failed', 'timed_out', 'lost'] as const satisfies readonly AttemptFact['outcome'][];

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

export async function readStatusFacts(pool: pg.Pool, now: Date, policy: DeliveryPolicy): Promise<StatusFacts> {
  const since = factsSince(now, policy);
  const [published, latest, runs, attempts, operations] = await Promise.all([
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
    listPipelineRuns(pool, policy.pipeline, { createdSince: since }),
    listFinishedAttempts(pool, policy.pipeline, { createdSince: since, outcomes: RECOVERY_OUTCOMES }),
    listPipelineOperations(pool, policy.pipeline, { createdSince: since }),
  ]);
  const held = await pool.query<{ task_id: string }>(
    `SELECT task_id FROM analytics.dashboard_snapshots WHERE state = 'held' AND task_id = ANY ($1::uuid[])`,
    [runs.map((run) => run.id)],
  );
  const heldRuns = new Set(held.rows.map((row) => row.task_id));
  // A failed or running backfill of the window due today is not that day's delivery attempt.
  const backfillRuns = await readBackfillRunIds(pool, runs.map((run) => run.id));
  const isDelivery = (row: PublishedRow) =>
    (row.kind ?? classifyRun({ start: row.window_start, end: row.window_end }, row.published_at, policy)) === 'delivery';
  const delivery = (row: { window_end: string; published_at: Date }): DeliveryFact => ({ windowEnd: row.window_end, publishedAt: row.published_at });
  return {
    deliveries: published.rows.filter(isDelivery).map(delivery),
    latestDelivery: latest.rows.filter(isDelivery).map(delivery)[0] ?? null,
    runs: runs.map((run): RunFact => {
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
    }),
    attempts: attempts.map(
      (attempt): AttemptFact => ({
        taskId: attempt.taskId,
        stepName: attempt.stepName,
        attemptNumber: attempt.attemptNumber,
        outcome: attempt.outcome,
        startedAt: attempt.startedAt,
        finishedAt: attempt.finishedAt,
      }),
    ),
    operations: operations.map(
      (operation): OperationFact => ({
        taskId: operation.taskId,
        stepName: operation.stepName,
        affectedSteps: operation.affectedSteps,
        createdAt: operation.createdAt,
      }),
    ),
  };
}
