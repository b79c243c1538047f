/**
 * The facts the public status is derived from, read through the engine's read API and from the snapshot table. Selects only
 * states, counts and timestamps: no error text, step results or customer data ever leave this module.
 */
import type pg from 'pg';
import { z } from 'zod';
import { listFinishedAttempts, listPipelineOperations, listPipelineRuns, type JsonValue } from '@/lib/engine';
import { CUSTOMER_ANALYTICS } from '@/lib/pipelines/customer-analytics/definition';
import { addDays, localDate, zonedTimeToInstant, type DeliverySettings } from './delivery-clock';
import { HISTORY_DAYS, type AttemptFact, type DeliveryFact, type OperationFact, type RunFact, type StatusFacts } from './derive';

/** The attempt outcomes the recovery rate counts: a success, or a failure a later attempt may have fixed. */
const RECOVERY_OUTCOMES = ['completed', 'failed', 'timed_out', 'lost'] as const satisfies readonly AttemptFact['outcome'][];

/** Start of the period whose runs and publications can affect the 90 history cells (a day of margin either side). */
export function factsSince(now: Date, settings: DeliverySettings): Date {
  const firstDay = addDays(localDate(now, settings.timeZone), -HISTORY_DAYS);
  return zonedTimeToInstant(addDays(firstDay, -1), '00:00', settings.timeZone);
}

/** The window end (YYYY-MM-DD) of a customer_analytics run's input; null when the input has none. */
export function windowEndOf(context: JsonValue): string | null {
  const parsed = runWindow.safeParse(context);
  return parsed.success ? parsed.data.date_range.end_date : null;
}

const runWindow = z.object({ date_range: z.object({ start_date: z.string(), end_date: z.string() }) });

export async function readStatusFacts(pool: pg.Pool, now: Date, settings: DeliverySettings): Promise<StatusFacts> {
  const since = factsSince(now, settings);
  const [deliveries, latest, runs, attempts, operations] = await Promise.all([
    pool.query<{ window_end: string; published_at: Date }>(
      `SELECT window_end::text AS window_end, published_at FROM analytics.dashboard_snapshots
       WHERE published_at >= $1 ORDER BY published_at`,
      [since],
    ),
    pool.query<{ window_end: string; published_at: Date }>(
      `SELECT window_end::text AS window_end, published_at FROM analytics.dashboard_snapshots ORDER BY published_at DESC LIMIT 1`,
    ),
    listPipelineRuns(pool, CUSTOMER_ANALYTICS, { createdSince: since }),
    listFinishedAttempts(pool, CUSTOMER_ANALYTICS, { createdSince: since, outcomes: RECOVERY_OUTCOMES }),
    listPipelineOperations(pool, CUSTOMER_ANALYTICS, { createdSince: since }),
  ]);
  const delivery = (row: { window_end: string; published_at: Date }): DeliveryFact => ({ windowEnd: row.window_end, publishedAt: row.published_at });
  return {
    deliveries: deliveries.rows.map(delivery),
    latestDelivery: latest.rows[0] ? delivery(latest.rows[0]) : null,
    runs: runs.map(
      (run): RunFact => ({
        id: run.id,
        status: run.status,
        windowEnd: windowEndOf(run.context),
        createdAt: run.createdAt,
        completedAt: run.completedAt,
        stepsTotal: run.stepsTotal,
        stepsDone: run.stepsDone,
        retrying: run.retrying,
        operatorActed: run.operatorActed,
      }),
    ),
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
