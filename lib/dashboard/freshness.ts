/**
 * How fresh the snapshot being shown is, for the banner above the dashboard. Only daily deliveries count:
 * a backfill or an ad-hoc analysis running or failing says nothing about the executives' numbers.
 *
 * - held: the snapshot shown is held for review (an operator opened it from its run) — not published;
 * - history: the snapshot shown is not the default view (picked from history): the banner says so and links back;
 * - refreshing: a delivery run is pending or running (the page keeps showing the current snapshot);
 * - failed: the most recent finished delivery run failed (operators get a link to it);
 * - stale: the snapshot's window ends before yesterday in DELIVERY_TIMEZONE — the daily delivery carries
 *   yesterday's data, so anything older means a delivery was missed;
 * - fresh: otherwise.
 * The first that applies wins.
 */
import type pg from 'pg';
import { listPipelineRuns } from '@/lib/engine';
import { readBackfillRunIds } from '@/lib/delivery/backfill-runs';
import { classifyRun, type DeliveryPolicy } from '@/lib/delivery/definition';
import { addDays, localDateOf } from '@/lib/time/zoned-time';
import { deliveryDeadline } from '@/lib/delivery/clock';
import { deliveryExpectation, type DeliveryExpectation } from '@/lib/delivery/expectation';
import { getTaskEta, shownEtaAt } from '@/lib/scheduling/eta';
import type { SnapshotRef } from './snapshots';

export type FreshnessState = 'fresh' | 'stale' | 'refreshing' | 'failed' | 'history' | 'held';

export interface PipelineActivity {
  activeTaskId: string | null;
  lastFinished: { taskId: string; status: 'completed' | 'failed' | 'cancelled'; finishedAt: Date | null } | null;
}

export interface Freshness {
  state: FreshnessState;
  /** While a delivery run is in flight: when it is expected to publish, against today's deadline. */
  expected?: DeliveryExpectation | null;
  /** The window end a fresh snapshot has (yesterday, local). */
  expectedWindowEnd: string;
  /** The run the banner is about: the running one, or the failed one. */
  taskId: string | null;
}

/** Delivery runs are created on their delivery day, so the last few days' runs hold the latest of them. */
const ACTIVITY_LOOKBACK_MS = 3 * 86_400_000;

export async function readPipelineActivity(pool: pg.Pool, policy: DeliveryPolicy, now: Date): Promise<PipelineActivity> {
  const runs = await listPipelineRuns(pool, policy.pipeline, { createdSince: new Date(now.getTime() - ACTIVITY_LOOKBACK_MS) });
  const backfillRuns = await readBackfillRunIds(pool, runs.map((run) => run.id));
  const deliveries = runs.filter((run) => {
    const window = policy.pipeline.windowOf(run.context);
    return window !== null && classifyRun(window, run.createdAt, policy, { fromBackfill: backfillRuns.has(run.id) }) === 'delivery';
  });
  const active = deliveries.filter((run) => run.status === 'pending' || run.status === 'running').at(-1);
  let lastFinished: PipelineActivity['lastFinished'] = null;
  for (const run of deliveries) {
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') {
      lastFinished = { taskId: run.id, status: run.status, finishedAt: run.completedAt };
    }
  }
  return { activeTaskId: active?.id ?? null, lastFinished };
}

export function deriveFreshness(snapshot: Pick<SnapshotRef, 'windowEnd' | 'isCurrent' | 'state'>, activity: PipelineActivity, now: Date, policy: DeliveryPolicy): Freshness {
  const expectedWindowEnd = addDays(localDateOf(now, policy.timeZone), -1);
  if (snapshot.state !== 'published') return { state: 'held', expectedWindowEnd, taskId: null };
  if (!snapshot.isCurrent) return { state: 'history', expectedWindowEnd, taskId: null };
  if (activity.activeTaskId) return { state: 'refreshing', expectedWindowEnd, taskId: activity.activeTaskId };
  if (activity.lastFinished?.status === 'failed') return { state: 'failed', expectedWindowEnd, taskId: activity.lastFinished.taskId };
  if (snapshot.windowEnd < expectedWindowEnd) return { state: 'stale', expectedWindowEnd, taskId: null };
  return { state: 'fresh', expectedWindowEnd, taskId: null };
}

/** The in-flight delivery run's expected publish against today's deadline (null when it cannot finish unaided). */
export async function readDeliveryExpectation(pool: pg.Pool, taskId: string, policy: DeliveryPolicy, now: Date): Promise<DeliveryExpectation | null> {
  const eta = await getTaskEta({ pool }, taskId, { now });
  return deliveryExpectation(shownEtaAt(eta), deliveryDeadline(localDateOf(now, policy.timeZone), policy), policy.timeZone);
}
