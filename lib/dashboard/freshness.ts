/**
 * How fresh the dashboard is, for the banner above it.
 *
 * - refreshing: a customer_analytics run is pending or running (the page keeps showing the current snapshot);
 * - failed: the most recent finished run failed (operators get a link to it);
 * - stale: the snapshot's window ends before yesterday in DELIVERY_TIMEZONE — the daily delivery carries
 *   yesterday's data, so anything older means a delivery was missed. Chosen over "published more than 26 h ago"
 *   because a re-run of an old window is new but still not yesterday's numbers;
 * - fresh: otherwise.
 * The first that applies wins.
 */
import type pg from 'pg';
import { findLatestTask } from '@/lib/engine';
import { CUSTOMER_ANALYTICS } from '@/lib/pipelines/customer-analytics/definition';
import { addDays, localDate, type DeliverySettings } from '@/lib/status/delivery-clock';

export type FreshnessState = 'fresh' | 'stale' | 'refreshing' | 'failed';

export interface PipelineActivity {
  activeTaskId: string | null;
  lastFinished: { taskId: string; status: FinishedStatus; finishedAt: Date | null } | null;
}

export interface Freshness {
  state: FreshnessState;
  /** The window end a fresh snapshot has (yesterday, local). */
  expectedWindowEnd: string;
  /** The run the banner is about: the running one, or the failed one. */
  taskId: string | null;
}

export async function readPipelineActivity(pool: pg.Pool): Promise<PipelineActivity> {
  const [active, last] = await Promise.all([
    findLatestTask(pool, CUSTOMER_ANALYTICS, { statuses: ['pending', 'running'] }),
    findLatestTask(pool, CUSTOMER_ANALYTICS, { statuses: FINISHED }),
  ]);
  return {
    activeTaskId: active?.id ?? null,
    lastFinished: last ? { taskId: last.id, status: last.status, finishedAt: last.completedAt } : null,
  };
}

const FINISHED = ['completed', 'failed', 'cancelled'] as const;
type FinishedStatus = (typeof FINISHED)[number];

export function deriveFreshness(windowEnd: string, activity: PipelineActivity, now: Date, settings: DeliverySettings): Freshness {
  const expectedWindowEnd = addDays(localDate(now, settings.timeZone), -1);
  if (activity.activeTaskId) return { state: 'refreshing', expectedWindowEnd, taskId: activity.activeTaskId };
  if (activity.lastFinished?.status === 'failed') return { state: 'failed', expectedWindowEnd, taskId: activity.lastFinished.taskId };
  if (windowEnd < expectedWindowEnd) return { state: 'stale', expectedWindowEnd, taskId: null };
  return { state: 'fresh', expectedWindowEnd, taskId: null };
}
