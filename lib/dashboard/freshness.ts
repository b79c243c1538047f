/**
 * How fresh the dashboard is, for the banner above it.
 *
 * - refreshing: a customer_analytics run is pending or running (the page keeps showing the current snapshot);
 * - failed: the most recent finished run failed (operators get a link to it);
 * - stale: the snapshot's window ends before yesterday in DELIVERY_TIMEZONE — the daily delivery carries
 *   yesterday's data, so anything older means a delivery was missed. Chosen over "published more than 26 h ago"
 *   because a re-run of an old window is new but still not yesterday's numbers;
 * - fresh: otherwise.
 * The first that applies wins. The two task lookups use tasks_status_idx / tasks_pipeline_idx.
 */
import type pg from 'pg';
import { CUSTOMER_ANALYTICS } from '@/lib/pipelines/customer-analytics/definition';
import { addDays, localDate, type DeliverySettings } from '@/lib/status/delivery-clock';

export type FreshnessState = 'fresh' | 'stale' | 'refreshing' | 'failed';

export interface PipelineActivity {
  activeTaskId: string | null;
  lastFinished: { taskId: string; status: 'completed' | 'failed' | 'cancelled'; finishedAt: Date | null } | null;
}

export interface Freshness {
  state: FreshnessState;
  /** The window end a fresh snapshot has (yesterday, local). */
  expectedWindowEnd: string;
  /** The run the banner is about: the running one, or the failed one. */
  taskId: string | null;
}

export async function readPipelineActivity(pool: pg.Pool): Promise<PipelineActivity> {
  const pipeline = [CUSTOMER_ANALYTICS.namespace, CUSTOMER_ANALYTICS.name];
  const [active, finished] = await Promise.all([
    pool.query<{ id: string }>(
      `SELECT id FROM tasks WHERE status IN ('pending', 'running') AND namespace = $1 AND name = $2 ORDER BY created_at DESC LIMIT 1`,
      pipeline,
    ),
    pool.query<{ id: string; status: 'completed' | 'failed' | 'cancelled'; completed_at: Date | null }>(
      `SELECT id, status, completed_at FROM tasks
       WHERE namespace = $1 AND name = $2 AND status IN ('completed', 'failed', 'cancelled')
       ORDER BY created_at DESC LIMIT 1`,
      pipeline,
    ),
  ]);
  const last = finished.rows[0];
  return {
    activeTaskId: active.rows[0]?.id ?? null,
    lastFinished: last ? { taskId: last.id, status: last.status, finishedAt: last.completed_at } : null,
  };
}

export function deriveFreshness(windowEnd: string, activity: PipelineActivity, now: Date, settings: DeliverySettings): Freshness {
  const expectedWindowEnd = addDays(localDate(now, settings.timeZone), -1);
  if (activity.activeTaskId) return { state: 'refreshing', expectedWindowEnd, taskId: activity.activeTaskId };
  if (activity.lastFinished?.status === 'failed') return { state: 'failed', expectedWindowEnd, taskId: activity.lastFinished.taskId };
  if (windowEnd < expectedWindowEnd) return { state: 'stale', expectedWindowEnd, taskId: null };
  return { state: 'fresh', expectedWindowEnd, taskId: null };
}
