/**
 * The facts the public status is derived from, read from the engine tables and the snapshot table. Selects only
 * states, counts and timestamps: no error text, step results or customer data ever leave this module.
 */
import type pg from 'pg';
import { CUSTOMER_ANALYTICS } from '@/lib/pipelines/customer-analytics/definition';
import { addDays, localDate, zonedTimeToInstant, type DeliverySettings } from './delivery-clock';
import { HISTORY_DAYS, type AttemptFact, type DeliveryFact, type OperationFact, type RunFact, type RunStatus, type StatusFacts } from './derive';

/** Start of the period whose runs and publications can affect the 90 history cells (a day of margin either side). */
export function factsSince(now: Date, settings: DeliverySettings): Date {
  const firstDay = addDays(localDate(now, settings.timeZone), -HISTORY_DAYS);
  return zonedTimeToInstant(addDays(firstDay, -1), '00:00', settings.timeZone);
}

export async function readStatusFacts(pool: pg.Pool, now: Date, settings: DeliverySettings): Promise<StatusFacts> {
  const since = factsSince(now, settings);
  const pipeline: [string, string, Date] = [CUSTOMER_ANALYTICS.namespace, CUSTOMER_ANALYTICS.name, since];
  const [deliveries, latest, runs, attempts, operations] = await Promise.all([
    pool.query<{ window_end: string; published_at: Date }>(
      `SELECT window_end::text AS window_end, published_at FROM analytics.dashboard_snapshots
       WHERE published_at >= $1 ORDER BY published_at`,
      [since],
    ),
    pool.query<{ window_end: string; published_at: Date }>(
      `SELECT window_end::text AS window_end, published_at FROM analytics.dashboard_snapshots ORDER BY published_at DESC LIMIT 1`,
    ),
    pool.query<{
      id: string; status: RunStatus; window_end: string | null; created_at: Date; completed_at: Date | null;
      steps_total: number; steps_done: number; retrying: boolean; operator_acted: boolean;
    }>(
      `SELECT t.id, t.status, t.context -> 'date_range' ->> 'end_date' AS window_end, t.created_at, t.completed_at,
              s.steps_total, s.steps_done, s.retrying,
              (s.resolved_manually OR EXISTS (SELECT 1 FROM task_operations o WHERE o.task_id = t.id)) AS operator_acted
       FROM tasks t
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS steps_total,
                count(*) FILTER (WHERE status IN ('completed', 'resolved_manually'))::int AS steps_done,
                coalesce(bool_or(status = 'retrying'), false) AS retrying,
                coalesce(bool_or(status = 'resolved_manually'), false) AS resolved_manually
         FROM steps WHERE steps.task_id = t.id) s
       WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3
       ORDER BY t.created_at`,
      pipeline,
    ),
    pool.query<{ task_id: string; step_name: string; attempt_number: number; outcome: AttemptFact['outcome']; started_at: Date; finished_at: Date }>(
      `SELECT a.task_id, a.step_name, a.attempt_number, a.outcome, a.started_at, a.finished_at
       FROM tasks t JOIN step_attempts a ON a.task_id = t.id
       WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3
         AND a.outcome IN ('completed', 'failed', 'timed_out', 'lost') AND a.finished_at IS NOT NULL`,
      pipeline,
    ),
    pool.query<{ task_id: string; step_name: string | null; affected_steps: string[]; created_at: Date }>(
      `SELECT o.task_id, o.step_name, o.affected_steps, o.created_at
       FROM tasks t JOIN task_operations o ON o.task_id = t.id
       WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3`,
      pipeline,
    ),
  ]);
  const delivery = (row: { window_end: string; published_at: Date }): DeliveryFact => ({ windowEnd: row.window_end, publishedAt: row.published_at });
  return {
    deliveries: deliveries.rows.map(delivery),
    latestDelivery: latest.rows[0] ? delivery(latest.rows[0]) : null,
    runs: runs.rows.map(
      (row): RunFact => ({
        id: row.id,
        status: row.status,
        windowEnd: row.window_end,
        createdAt: row.created_at,
        completedAt: row.completed_at,
        stepsTotal: row.steps_total,
        stepsDone: row.steps_done,
        retrying: row.retrying,
        operatorActed: row.operator_acted,
      }),
    ),
    attempts: attempts.rows.map(
      (row): AttemptFact => ({
        taskId: row.task_id,
        stepName: row.step_name,
        attemptNumber: row.attempt_number,
        outcome: row.outcome,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      }),
    ),
    operations: operations.rows.map(
      (row): OperationFact => ({ taskId: row.task_id, stepName: row.step_name, affectedSteps: row.affected_steps, createdAt: row.created_at }),
    ),
  };
}
