/**
 * Dashboard snapshots: the default view (or one picked from history) and the list for the picker, each with its
 * delivery kind. The summary jsonb is parsed with zod, so an older or malformed summary degrades to "no figure",
 * never a crash.
 */
import type pg from 'pg';
import { z } from 'zod';
import { classifyRun, type DeliveryKind, type DeliveryPolicy } from '@/lib/delivery/definition';
import type { KpiKey } from './kpi-definitions';

export { KPI_DEFINITIONS, KPI_KEYS, type KpiKey } from './kpi-definitions';

const kpiValue = z.object({ current: z.number(), previous: z.number().nullable(), change_percent: z.number().nullable() });

// Each figure on its own: a snapshot published before a KPI existed (or under an older definition) lacks just that one.
const optionalKpi = kpiValue.optional().catch(undefined);
const kpiShape = {
  revenue: optionalKpi,
  orders: optionalKpi,
  average_order_value: optionalKpi,
  active_customers: optionalKpi,
  first_time_buyers: optionalKpi,
  vip_revenue_share: optionalKpi,
} satisfies Record<KpiKey, typeof optionalKpi>;

const snapshotSummary = z.object({
  kpis: z.object(kpiShape).nullable().catch(null),
  segments: z.array(z.object({ segment: z.string(), customers: z.number(), revenue: z.number() })).catch([]),
  customers: z.number().int().catch(0),
  products: z.number().int().catch(0),
  /** Absent in snapshots published before the histogram was precomputed. */
  ltv_histogram: z.array(z.object({ from: z.number(), to: z.number().nullable(), customers: z.number() })).optional().catch(undefined),
});

export type SnapshotSummary = z.infer<typeof snapshotSummary>;
export type KpiValue = z.infer<typeof kpiValue>;
export type SnapshotKpis = Partial<Record<KpiKey, KpiValue>>;

export type SnapshotState = 'published' | 'held' | 'discarded';

export interface SnapshotRef {
  id: number;
  taskId: string;
  windowStart: string;
  windowEnd: string;
  /** Null while held for review (or discarded unpublished). */
  publishedAt: Date | null;
  /** The dashboard's default view. */
  isCurrent: boolean;
  kind: DeliveryKind;
  state: SnapshotState;
}

export interface Snapshot extends SnapshotRef {
  summary: SnapshotSummary;
  holdReasons: { code: string; message: string }[];
}

interface SnapshotRow {
  id: number;
  task_id: string;
  window_start: string;
  window_end: string;
  published_at: Date | null;
  held_at: Date | null;
  is_current: boolean;
  kind: DeliveryKind | null;
  state: SnapshotState;
}

const COLUMNS = `id, task_id, window_start::text AS window_start, window_end::text AS window_end, published_at, held_at, is_current, kind, state`;

const holdReasonsSchema = z.array(z.object({ code: z.string(), message: z.string() })).catch([]);

/** Rows published before kinds were stored are classified by the same rule, at their publish time. */
export function snapshotKind(row: { kind: DeliveryKind | null; window_start: string; window_end: string; published_at: Date | null; held_at: Date | null }, policy: DeliveryPolicy): DeliveryKind {
  return row.kind ?? classifyRun({ start: row.window_start, end: row.window_end }, row.published_at ?? row.held_at ?? new Date(), policy);
}

function toRef(row: SnapshotRow, policy: DeliveryPolicy): SnapshotRef {
  return {
    id: row.id,
    taskId: row.task_id,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    publishedAt: row.published_at,
    isCurrent: row.is_current,
    kind: snapshotKind(row, policy),
    state: row.state,
  };
}

/** The snapshot with `id` (any state, so a held one can be reviewed), or the default view when `id` is undefined. */
export async function readSnapshot(pool: pg.Pool, policy: DeliveryPolicy, id?: number): Promise<Snapshot | null> {
  // The default view is found through the partial unique index on is_current; a picked one by primary key.
  const { rows } = await pool.query<SnapshotRow & { summary: unknown; hold_reasons: unknown }>(
    id === undefined
      ? `SELECT ${COLUMNS}, summary, hold_reasons FROM analytics.dashboard_snapshots WHERE is_current`
      : `SELECT ${COLUMNS}, summary, hold_reasons FROM analytics.dashboard_snapshots WHERE id = $1`,
    id === undefined ? [] : [id],
  );
  const row = rows[0];
  if (!row) return null;
  return { ...toRef(row, policy), summary: snapshotSummary.parse(row.summary ?? {}), holdReasons: holdReasonsSchema.parse(row.hold_reasons) };
}

/** The current snapshot without its summary: enough to tell whether a newer one was published. */
export async function readCurrentSnapshotRef(pool: pg.Pool, policy: DeliveryPolicy): Promise<SnapshotRef | null> {
  const { rows } = await pool.query<SnapshotRow>(`SELECT ${COLUMNS} FROM analytics.dashboard_snapshots WHERE is_current`);
  const row = rows[0];
  return row ? toRef(row, policy) : null;
}

export const SNAPSHOT_LIST_LIMIT = 60;

/** Published snapshots, newest publication first, for the picker. */
export async function listSnapshots(pool: pg.Pool, policy: DeliveryPolicy, limit = SNAPSHOT_LIST_LIMIT): Promise<SnapshotRef[]> {
  const { rows } = await pool.query<SnapshotRow>(
    `SELECT ${COLUMNS} FROM analytics.dashboard_snapshots WHERE state = 'published' ORDER BY published_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row) => toRef(row, policy));
}
