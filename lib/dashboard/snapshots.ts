/**
 * Published dashboard snapshots: the current one (or one picked from history) and the list for the picker.
 * The summary jsonb is parsed with zod, so an older or malformed summary degrades to "no figure", never a crash.
 */
import type pg from 'pg';
import { z } from 'zod';

const kpiValue = z.object({ current: z.number(), previous: z.number().nullable(), change_percent: z.number().nullable() });

export const KPI_KEYS = ['revenue', 'orders', 'average_order_value', 'active_customers', 'new_customers', 'vip_revenue_share'] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

const snapshotSummary = z.object({
  kpis: z
    .object({
      revenue: kpiValue,
      orders: kpiValue,
      average_order_value: kpiValue,
      active_customers: kpiValue,
      new_customers: kpiValue,
      vip_revenue_share: kpiValue,
    } satisfies Record<KpiKey, typeof kpiValue>)
    .nullable()
    .catch(null),
  segments: z.array(z.object({ segment: z.string(), customers: z.number(), revenue: z.number() })).catch([]),
  customers: z.number().int().catch(0),
  products: z.number().int().catch(0),
  /** Absent in snapshots published before the histogram was precomputed. */
  ltv_histogram: z.array(z.object({ from: z.number(), to: z.number().nullable(), customers: z.number() })).optional().catch(undefined),
});

export type SnapshotSummary = z.infer<typeof snapshotSummary>;
export type KpiValue = z.infer<typeof kpiValue>;

export interface SnapshotRef {
  id: number;
  taskId: string;
  windowStart: string;
  windowEnd: string;
  publishedAt: Date;
  isCurrent: boolean;
}

export interface Snapshot extends SnapshotRef {
  summary: SnapshotSummary;
}

interface SnapshotRow {
  id: number;
  task_id: string;
  window_start: string;
  window_end: string;
  published_at: Date;
  is_current: boolean;
}

const COLUMNS = `id, task_id, window_start::text AS window_start, window_end::text AS window_end, published_at, is_current`;

function toRef(row: SnapshotRow): SnapshotRef {
  return {
    id: row.id,
    taskId: row.task_id,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    publishedAt: row.published_at,
    isCurrent: row.is_current,
  };
}

/** The snapshot with `id`, or the current one when `id` is undefined; null when there is none. */
export async function readSnapshot(pool: pg.Pool, id?: number): Promise<Snapshot | null> {
  // The current row is found through the partial unique index on is_current; a picked one by primary key.
  const { rows } = await pool.query<SnapshotRow & { summary: unknown }>(
    id === undefined
      ? `SELECT ${COLUMNS}, summary FROM analytics.dashboard_snapshots WHERE is_current`
      : `SELECT ${COLUMNS}, summary FROM analytics.dashboard_snapshots WHERE id = $1`,
    id === undefined ? [] : [id],
  );
  const row = rows[0];
  if (!row) return null;
  return { ...toRef(row), summary: snapshotSummary.parse(row.summary ?? {}) };
}

/** The current snapshot without its summary: enough to tell whether a newer one was published. */
export async function readCurrentSnapshotRef(pool: pg.Pool): Promise<SnapshotRef | null> {
  const { rows } = await pool.query<SnapshotRow>(`SELECT ${COLUMNS} FROM analytics.dashboard_snapshots WHERE is_current`);
  const row = rows[0];
  return row ? toRef(row) : null;
}

export const SNAPSHOT_LIST_LIMIT = 60;

/** The newest snapshots first, for the picker. */
export async function listSnapshots(pool: pg.Pool, limit = SNAPSHOT_LIST_LIMIT): Promise<SnapshotRef[]> {
  const { rows } = await pool.query<SnapshotRow>(`SELECT ${COLUMNS} FROM analytics.dashboard_snapshots ORDER BY id DESC LIMIT $1`, [limit]);
  return rows.map(toRef);
}
