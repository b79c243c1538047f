/**
 * Everything the executive dashboard shows for one snapshot, read in one round of parallel queries.
 *
 * Only the snapshot tables are read (dashboard_snapshots, customer_metrics, product_metrics, daily_revenue,
 * insights) plus two task lookups for the freshness banner — never staging or source tables. Every query is an
 * index lookup bounded by a LIMIT or by the task id; aggregates over all customers (segment counts, the
 * lifetime-value histogram, the KPIs) were precomputed into the snapshot's summary when it was published.
 */
import { asc, desc, eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import { z } from 'zod';
import { databaseOn } from '@/db/client';
import { customerMetrics, dailyRevenue, dashboardSnapshots, insights as insightsTable, productMetrics } from '@/db/schema';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { needsAttention, type ExecutiveSummaryReader, type NeedsAttention } from './attention';
import { deriveFreshness, readDeliveryExpectation, readPipelineActivity, type Freshness, type PipelineActivity } from './freshness';
import { LTV_HISTOGRAM_SQL, type LtvBucket } from './ltv-histogram';
import { listSnapshots, readCurrentSnapshotRef, readSnapshot, type SnapshotKpis, type SnapshotRef } from './snapshots';

export const CUSTOMER_SORTS = ['lifetime_value', 'orders', 'days_since_last_order'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export type SortDirection = 'asc' | 'desc';

export const CUSTOMERS_PAGE_SIZE = 10;
export const LOW_STOCK_LIMIT = 50;

/** The dashboard's query parameters (page URL and /api/dashboard share them). */
export const dashboardQuerySchema = z.strictObject({
  // Capped at PostgreSQL's integer range: a larger id names no snapshot, and must not reach the query as one.
  snapshot: z.coerce
    .number()
    .int('snapshot must be a whole number')
    .positive('snapshot must be a snapshot id')
    .max(2_147_483_647, 'snapshot must be a snapshot id')
    .optional(),
  sort: z.enum(CUSTOMER_SORTS, { message: `sort must be one of ${CUSTOMER_SORTS.join(', ')}` }).default('lifetime_value'),
  dir: z.enum(['asc', 'desc'], { message: 'dir must be asc or desc' }).default('desc'),
  page: z.coerce.number().int('page must be a whole number').min(1, 'page starts at 1').max(1_000_000).default(1),
});
export type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

export interface TopCustomer {
  customer_id: number;
  email: string;
  segment: string;
  lifetime_value: number;
  orders: number;
  days_since_last_order: number;
}

export interface LowStockProduct {
  product_id: number;
  name: string | null;
  category: string | null;
  stock_on_hand: number | null;
  days_of_cover: number;
}

export interface SegmentFigures {
  segment: string;
  customers: number;
  revenue: number;
  average_order_value: number | null;
}

export interface DashboardData {
  snapshot: SnapshotRef & { customers: number; products: number; holdReasons: { code: string; message: string }[] };
  freshness: Freshness;
  /** Published snapshots for the picker, each labelled with its kind. */
  snapshots: SnapshotRef[];
  /** The default view's id, so a picked snapshot can link back to it; null when there is none. */
  defaultSnapshotId: number | null;
  kpis: SnapshotKpis | null;
  segments: SegmentFigures[];
  ltvHistogram: LtvBucket[];
  dailyRevenue: { day: string; orders: number; revenue: number }[];
  topProducts: { product_id: number; name: string | null; category: string | null; revenue: number; units_sold: number }[];
  revenueByCategory: { category: string; revenue: number }[];
  topCustomers: { rows: TopCustomer[]; page: number; pageSize: number; total: number; sort: CustomerSort; dir: SortDirection };
  /** coverDays: the reorder rule's threshold the run used; null when the run could not compute stock cover. */
  lowStock: { rows: LowStockProduct[]; total: number; coverDays: number | null };
  insights: { kind: string; sentence: string; data: unknown }[];
  /** "Needs attention today", from the shown run's executive summary; null when that run has none. */
  attention: NeedsAttention | null;
  links: { customersCsv: string; productsCsv: string; run: string };
}

type EmptyFreshness = Pick<Freshness, 'taskId'> & { state: 'refreshing' | 'failed' | 'none' };

export type DashboardLoad =
  | { kind: 'ready'; data: DashboardData }
  | { kind: 'empty'; freshness: EmptyFreshness }
  | { kind: 'unknown_snapshot'; snapshotId: number };

/**
 * What an open dashboard polls (or refetches on a live message) to learn that it is out of date: the current
 * snapshot and the banner's state. Two small lookups instead of the whole read model.
 */
export interface DashboardPulse {
  currentSnapshotId: number | null;
  state: Freshness['state'] | EmptyFreshness['state'];
}

function emptyFreshness(activity: PipelineActivity): EmptyFreshness {
  const state = activity.activeTaskId ? 'refreshing' : activity.lastFinished?.status === 'failed' ? 'failed' : 'none';
  return { state, taskId: activity.activeTaskId ?? (state === 'failed' ? (activity.lastFinished?.taskId ?? null) : null) };
}

/** A refreshing banner says when the run in flight is expected to publish. */
async function withExpectation(pool: pg.Pool, freshness: Freshness, policy: DeliveryPolicy, now: Date): Promise<Freshness> {
  if (freshness.state !== 'refreshing' || !freshness.taskId) return freshness;
  return { ...freshness, expected: await readDeliveryExpectation(pool, freshness.taskId, policy, now) };
}

export async function loadDashboardPulse(pool: pg.Pool, now: Date, policy: DeliveryPolicy): Promise<DashboardPulse> {
  const [current, activity] = await Promise.all([readCurrentSnapshotRef(pool, policy), readPipelineActivity(pool, policy, now)]);
  if (!current) return { currentSnapshotId: null, state: emptyFreshness(activity).state };
  return { currentSnapshotId: current.id, state: deriveFreshness(current, activity, now, policy).state };
}

const SORT_COLUMNS = {
  lifetime_value: customerMetrics.totalLifetimeValue,
  orders: customerMetrics.totalOrders,
  days_since_last_order: customerMetrics.daysSinceLastOrder,
} satisfies Record<CustomerSort, unknown>;

const segmentMixData = z.object({
  segments: z.array(z.object({ segment: z.string(), average_order_value: z.number() })),
});
const categoriesData = z.object({ categories: z.array(z.object({ category: z.string(), revenue: z.number() })) });
/** The low_stock insight: the reorder rule's products (lib/pipelines/customer-analytics/executive-summary.ts). */
const lowStockData = z.object({
  count: z.number().int(),
  cover_days: z.number().nullable().optional(),
  products: z.array(
    z.object({ product_id: z.number().int(), name: z.string().nullable(), category: z.string().nullable(), stock_on_hand: z.number().nullable(), days_of_cover: z.number() }),
  ),
});

function insightData<T>(insights: { kind: string; data: unknown }[], kind: string, schema: z.ZodType<T>): T | null {
  const parsed = schema.safeParse(insights.find((insight) => insight.kind === kind)?.data);
  return parsed.success ? parsed.data : null;
}

async function readTopCustomers(pool: pg.Pool, taskId: string, query: DashboardQuery) {
  // Sort column and direction come from closed enums, never from the request text; each pairs with an index.
  const order = query.dir === 'asc' ? asc : desc;
  const rows = await databaseOn(pool)
    .select({
      customer_id: customerMetrics.customerId,
      email: customerMetrics.customerEmail,
      segment: customerMetrics.customerSegment,
      lifetime_value: customerMetrics.totalLifetimeValue,
      orders: customerMetrics.totalOrders,
      days_since_last_order: customerMetrics.daysSinceLastOrder,
    })
    .from(customerMetrics)
    .where(eq(customerMetrics.taskId, taskId))
    .orderBy(order(SORT_COLUMNS[query.sort]), order(customerMetrics.customerId))
    .limit(CUSTOMERS_PAGE_SIZE)
    .offset((query.page - 1) * CUSTOMERS_PAGE_SIZE);
  return rows.map((row): TopCustomer => ({ ...row, lifetime_value: Number(row.lifetime_value) }));
}

/** Without a reader (tests of the other figures) no run has an executive summary. */
const NO_SUMMARIES: ExecutiveSummaryReader = async () => null;

export async function loadDashboard(
  pool: pg.Pool,
  query: DashboardQuery,
  now: Date,
  policy: DeliveryPolicy,
  readExecutiveSummary: ExecutiveSummaryReader = NO_SUMMARIES,
): Promise<DashboardLoad> {
  const [snapshot, snapshots, activity] = await Promise.all([
    readSnapshot(pool, policy, query.snapshot),
    listSnapshots(pool, policy),
    readPipelineActivity(pool, policy, now),
  ]);
  if (!snapshot) {
    if (query.snapshot !== undefined) return { kind: 'unknown_snapshot', snapshotId: query.snapshot };
    return { kind: 'empty', freshness: emptyFreshness(activity) };
  }
  const taskId = snapshot.taskId;
  const db = databaseOn(pool);
  const [insights, daily, products, customers, histogram, executiveSummary] = await Promise.all([
    db
      .select({ kind: insightsTable.kind, sentence: insightsTable.sentence, data: insightsTable.data })
      .from(insightsTable)
      .where(eq(insightsTable.taskId, taskId))
      .orderBy(insightsTable.position),
    db
      .select({ day: dailyRevenue.day, orders: dailyRevenue.orders, revenue: dailyRevenue.revenue })
      .from(dailyRevenue)
      .where(eq(dailyRevenue.taskId, taskId))
      .orderBy(dailyRevenue.day),
    db
      .select({ product_id: productMetrics.productId, name: productMetrics.name, category: productMetrics.category, revenue: productMetrics.revenue, units_sold: productMetrics.unitsSold })
      .from(productMetrics)
      .where(eq(productMetrics.taskId, taskId))
      // NULLS LAST matches product_metrics_task_revenue_idx; without it the planner cannot use the index's order.
      .orderBy(sql`${productMetrics.revenue} DESC NULLS LAST`, productMetrics.productId)
      .limit(10),
    readTopCustomers(pool, taskId, query),
    snapshot.summary.ltv_histogram
      ? Promise.resolve(snapshot.summary.ltv_histogram)
      : pool.query<LtvBucket>(LTV_HISTOGRAM_SQL, [taskId]).then((result) => result.rows),
    readExecutiveSummary(taskId),
  ]);

  const mix = insightData(insights, 'segment_mix', segmentMixData);
  const aovBySegment = new Map(mix?.segments.map((segment) => [segment.segment, segment.average_order_value]));
  // The list and its count are the low_stock insight's, so the dashboard says what the pipeline decided, by one rule.
  const lowStock = insightData(insights, 'low_stock', lowStockData);
  const lowStockRows = (lowStock?.products ?? []).slice(0, LOW_STOCK_LIMIT).map(
    (row): LowStockProduct => ({ product_id: row.product_id, name: row.name, category: row.category, stock_on_hand: row.stock_on_hand, days_of_cover: row.days_of_cover }),
  );
  const lowStockCount = lowStock?.count ?? lowStockRows.length;
  const { summary, holdReasons, ...ref } = snapshot;
  const defaultSnapshotId = ref.isCurrent
    ? ref.id
    : (snapshots.find((candidate) => candidate.isCurrent)?.id ??
      (await db.select({ id: dashboardSnapshots.id }).from(dashboardSnapshots).where(eq(dashboardSnapshots.isCurrent, true)))[0]?.id ??
      null);

  return {
    kind: 'ready',
    data: {
      snapshot: { ...ref, customers: summary.customers, products: summary.products, holdReasons },
      freshness: await withExpectation(pool, deriveFreshness(ref, activity, now, policy), policy, now),
      snapshots,
      defaultSnapshotId,
      kpis: summary.kpis,
      segments: summary.segments.map((segment) => ({ ...segment, average_order_value: aovBySegment.get(segment.segment) ?? null })),
      ltvHistogram: histogram,
      dailyRevenue: daily.map((row) => ({ day: row.day, orders: row.orders, revenue: Number(row.revenue) })),
      topProducts: products.map((row) => ({ ...row, revenue: Number(row.revenue) })),
      revenueByCategory: insightData(insights, 'top_categories', categoriesData)?.categories ?? [],
      topCustomers: { rows: customers, page: query.page, pageSize: CUSTOMERS_PAGE_SIZE, total: summary.customers, sort: query.sort, dir: query.dir },
      lowStock: { rows: lowStockRows, total: lowStockCount, coverDays: lowStock?.cover_days ?? null },
      insights,
      attention: needsAttention(executiveSummary, taskId),
      links: {
        customersCsv: `/analytics/results/${taskId}/customers.csv`,
        productsCsv: `/analytics/results/${taskId}/products.csv`,
        run: `/runs/${taskId}`,
      },
    },
  };
}
