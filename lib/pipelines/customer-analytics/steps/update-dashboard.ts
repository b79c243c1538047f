/**
 * update_dashboard: publishes the task's output as the dashboard's current snapshot.
 *
 * The metrics, insights and daily revenue rows were written by earlier steps under this task's id; publishing
 * only flips which task is current, in ONE transaction, so a reader sees either the previous complete snapshot
 * or this one — never a mix. Earlier snapshots stay as history, one per task.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { LTV_HISTOGRAM_SQL, type LtvBucket } from '@/lib/dashboard/ltv-histogram';
import type { Kpis } from './generate-insights';

export interface PublishResult {
  snapshot_id: number;
  published_at: string;
  replaced_task_id: string | null;
}

export interface SnapshotSummary {
  kpis: Kpis | null;
  segments: { segment: string; customers: number; revenue: number }[];
  customers: number;
  products: number;
  /** Customers per lifetime-value bucket, so the dashboard's histogram needs no scan of customer_metrics. */
  ltv_histogram: LtvBucket[];
}

// A reader holding the snapshot table (or an administrator's lock) must not stall the step forever:
// give up after a few seconds and let the engine retry with backoff.
const PUBLISH_LOCK_TIMEOUT = '5s';

export async function publishSnapshot(
  pool: pg.Pool,
  input: { taskId: string; startDate: string; endDate: string },
): Promise<PublishResult> {
  return withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL lock_timeout = '${PUBLISH_LOCK_TIMEOUT}'`);
    const summary = await buildSummary(client, input.taskId);
    const previous = await client.query<{ task_id: string }>(
      `UPDATE analytics.dashboard_snapshots SET is_current = false WHERE is_current AND task_id <> $1 RETURNING task_id`,
      [input.taskId],
    );
    const inserted = await client.query<{ id: number; published_at: Date }>(
      `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, is_current, summary)
       VALUES ($1, $2, $3, true, $4)
       ON CONFLICT (task_id) DO UPDATE SET is_current = true, published_at = now(), summary = EXCLUDED.summary
       RETURNING id, published_at`,
      [input.taskId, input.startDate, input.endDate, JSON.stringify(summary)],
    );
    const row = inserted.rows[0];
    if (!row) throw new Error('publishing the snapshot returned no row');
    return { snapshot_id: row.id, published_at: row.published_at.toISOString(), replaced_task_id: previous.rows[0]?.task_id ?? null };
  });
}

async function buildSummary(client: pg.PoolClient, taskId: string): Promise<SnapshotSummary> {
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
