/**
 * update_dashboard: builds the task's snapshot summary and hands it to the delivery module, which publishes it —
 * the default view when it is the latest delivery, history otherwise — or holds it for review when the
 * data-quality gate finds a reason (lib/delivery).
 *
 * The metrics, insights and daily revenue rows were written by earlier steps under this task's id; publishing
 * only changes which task the dashboard points at, in ONE transaction, so a reader sees either the previous
 * complete snapshot or this one — never a mix. Earlier snapshots stay as history, one per task.
 */
import type pg from 'pg';
import { withClient } from '@/db/transaction';
import { LTV_HISTOGRAM_SQL, type LtvBucket } from '@/lib/dashboard/ltv-histogram';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { holdReasons, type HoldReason } from '@/lib/delivery/gate';
import { customerAnalyticsVolume } from '../volume';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { publishRunSnapshot } from '@/lib/delivery/publish';
import { alertLinkBaseUrl } from '@/lib/monitoring/settings';
import type { Kpis } from '../kpis';
import { customerAnalyticsDelivery } from '../delivery';

export type PublishResult = {
  snapshot_id: number;
  /** 'held' when the data-quality gate stopped it: the run's outcome is "held for review". */
  state: 'published' | 'held';
  kind: 'delivery' | 'backfill' | 'ad_hoc';
  default_view: boolean;
  replaced_task_id: string | null;
  hold_reasons: HoldReason[];
};

export interface SnapshotSummary {
  kpis: Kpis | null;
  segments: { segment: string; customers: number; revenue: number }[];
  customers: number;
  products: number;
  /** Customers per lifetime-value bucket, so the dashboard's histogram needs no scan of customer_metrics. */
  ltv_histogram: LtvBucket[];
}

export async function publishDashboard(
  pool: pg.Pool,
  input: { taskId: string; startDate: string; endDate: string },
  options: { policy?: DeliveryPolicy; at?: Date } = {},
): Promise<PublishResult> {
  const summary = await withClient(pool, (client) => buildSummary(client, input.taskId));
  const reasons = await holdReasons(pool, input.taskId, { orders: summary.kpis?.orders.current ?? 0, customers: summary.customers }, customerAnalyticsVolume);
  const outcome = await publishRunSnapshot(pool, {
    taskId: input.taskId,
    window: { start: input.startDate, end: input.endDate },
    summary,
    holdReasons: reasons,
    policy: options.policy ?? (await readDeliveryPolicy(pool, customerAnalyticsDelivery)),
    routing: { linkBaseUrl: alertLinkBaseUrl() },
    at: options.at,
  });
  return {
    snapshot_id: outcome.snapshotId,
    state: outcome.state,
    kind: outcome.kind,
    default_view: outcome.isDefaultView,
    replaced_task_id: outcome.replacedTaskId,
    hold_reasons: outcome.holdReasons,
  };
}

async function buildSummary(client: pg.ClientBase, taskId: string): Promise<SnapshotSummary> {
  const { rows } = await client.query<{ kpis: Kpis | null; segments: SnapshotSummary['segments'] | null; customers: number; products: number }>(
    `SELECT
       (SELECT data FROM analytics.insights WHERE task_id = $1 AND kind = 'kpis') AS kpis,
       (SELECT data -> 'segments' FROM analytics.insights WHERE task_id = $1 AND kind = 'segment_mix') AS segments,
       (SELECT count(*)::int FROM analytics.customer_metrics WHERE task_id = $1) AS customers,
       (SELECT count(*)::int FROM analytics.product_metrics WHERE task_id = $1) AS products`,
    [taskId],
  );
  const row = rows[0];
  const histogram = await client.query<LtvBucket>(LTV_HISTOGRAM_SQL, [taskId]);
  return {
    kpis: row?.kpis ?? null,
    segments: row?.segments ?? [],
    customers: row?.customers ?? 0,
    products: row?.products ?? 0,
    ltv_histogram: histogram.rows,
  };
}
