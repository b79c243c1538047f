/**
 * The executive summary of a run: period overview, churn risk, reorder, anomalies, revenue drivers and
 * recommendations, each by the one definition written in docs/METRICS.md. Every figure is set-based SQL; nothing is
 * loaded into Node row by row — only the bounded lists (at most 50 products, the window's anomalies, the segment and
 * category parts) come back.
 *
 * The figures read sums over orders in two parts (./summary-parts.ts): the run's window, which the transforms summed
 * in their own scans (analytics.summary_*_parts), and the orders outside the window, read here from the orders
 * source through the created_at index. At the benchmark's 1M orders the window is every order there is, so the
 * summary reads a few small tables instead of the orders and their 2.3M items four more times.
 *
 * Days are calendar days in the delivery time zone; E is the window's end date. The outside part reads shop.orders in
 * the app's database, so the summary needs the orders there (a `source` boundary).
 *
 * The churn and reorder rules write their customers and products to analytics.at_risk_customers and
 * analytics.reorder_products; the summary's counts and lists and the two CSVs (lib/analytics/csv.ts) all read those
 * rows, so the rule exists once.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { customerSegmentSql } from './steps/transform-customer-metrics';
import { loadCopyStream } from './order-copy';
import {
  ANOMALY_BASELINE_WEEKS,
  OUTSIDE_IN_PLACE,
  VELOCITY_DAYS,
  outsideCustomerPartsSql,
  outsideDailyPartsSql,
  outsideProductPartsSql,
  summaryBounds,
  type OutsideParts,
  type SummaryBounds,
  type SummaryPeriods,
} from './summary-parts';

export { ANOMALY_BASELINE_WEEKS, VELOCITY_DAYS };

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface SummaryWindow extends SummaryPeriods {
  taskId: string;
}

export interface ReorderRule {
  coverDays: number;
  targetDays: number;
}

/** Customers more than this many days since their last order have left, not lapsed: out of churn risk. */
export const CHURN_HORIZON_DAYS = 365;
const CHURN_MIN_GAP_DAYS = 30;
/** 1.4826 × MAD estimates the standard deviation of normally distributed values. */
export const ANOMALY_THRESHOLD = 3 * 1.4826;
export const REORDER_LIST_LIMIT = 50;
/** Above this share of revenue from the top 10% of customers, losing a few of them moves the total. */
export const CONCENTRATION_LIMIT_PERCENT = 50;
/** The window's top sellers: the products with the highest revenue, as many as the top_products insight lists. */
export const TOP_SELLERS = 10;
/** A top seller with less cover than this (or none) is a stock-out: it runs out before most reorders could arrive. */
export const STOCKOUT_COVER_DAYS = 7;

const periodFigures = z.object({
  total_revenue: z.number(),
  total_orders: z.number().int(),
  average_order_value: z.number(),
  unique_customers: z.number().int(),
});

const reorderProduct = z.object({
  product_id: z.number().int(),
  name: z.string(),
  stock_on_hand: z.number().int(),
  daily_velocity: z.number(),
  days_of_cover: z.number(),
  reorder_quantity: z.number().int(),
});

const anomaly = z.object({
  metric: z.enum(['revenue', 'orders']),
  day: z.iso.date(),
  value: z.number(),
  expected: z.number(),
  deviation_percent: z.number().nullable(),
});

const driverPart = z.object({
  name: z.string(),
  current: z.number(),
  previous: z.number(),
  change: z.number(),
  share_of_change_percent: z.number().nullable(),
});

const recommendation = z.object({
  priority: z.enum(['high', 'medium', 'low']),
  title: z.string(),
  reason: z.string(),
  evidence: z.record(z.string(), z.number()),
  action_url: z.string(),
});

export const executiveSummarySchema = z.object({
  period_overview: periodFigures.extend({ previous_period: periodFigures }),
  vip_customers_count: z.number().int(),
  churn_risk: z.object({
    customers_at_risk: z.number().int(),
    lifetime_value_at_risk: z.number(),
    by_segment: z.object({ VIP: z.number().int(), Regular: z.number().int(), Occasional: z.number().int(), New: z.number().int() }),
  }),
  reorder_needed_count: z.number().int(),
  reorder: z.array(reorderProduct),
  anomalies: z.array(anomaly),
  drivers: z.object({ total_change: z.number(), by_segment: z.array(driverPart), by_category: z.array(driverPart) }),
  recommendations: z.array(recommendation),
});

export type ExecutiveSummary = z.infer<typeof executiveSummarySchema>;
/** A product to reorder with its category, which the dashboard's low-stock list shows and the summary leaves out. */
export type ReorderCandidate = z.infer<typeof reorderProduct> & { category: string };
export type Anomaly = z.infer<typeof anomaly>;
export type DriverPart = z.infer<typeof driverPart>;
export type Recommendation = z.infer<typeof recommendation>;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The temporary tables one summary builds in its transaction (dropped at commit). */
const CUSTOMER_HISTORY = 'summary_customer_history';
const PRODUCT_SALES = 'summary_product_sales';

/**
 * Every customer's orders dated ≤ E — count n, total, first and last order day F and L — and both periods' orders
 * and revenue: the window part plus the outside part, per customer (each part has one row per customer, so a full
 * join adds them up without regrouping), with whether the CRM knows the customer and their segment over those n
 * orders. Churn risk, the VIP count, the overview and the segment drivers read it.
 */
async function buildCustomerHistory(db: Queryable, window: SummaryWindow, outside: OutsideParts): Promise<void> {
  const params: unknown[] = [window.taskId];
  const b = summaryBounds(window, params);
  const added = (column: string) => `coalesce(w.${column}, 0) + coalesce(x.${column}, 0)`;
  const sql = `CREATE TEMP TABLE ${CUSTOMER_HISTORY} ON COMMIT DROP AS
    SELECT h.*, u.user_id IS NOT NULL AS crm_known, ${customerSegmentSql('h.total', 'h.n')} AS segment
      FROM (SELECT coalesce(w.customer_id, x.customer_id) AS customer_id, ${added('orders')} AS n, ${added('total')} AS total,
                   (least(w.first_order_at, x.first_order_at) AT TIME ZONE ${b.zone})::date AS first_day,
                   (greatest(w.last_order_at, x.last_order_at) AT TIME ZONE ${b.zone})::date AS last_day,
                   ${added('current_orders')} AS current_orders, ${added('current_revenue')} AS current_revenue,
                   ${added('previous_orders')} AS previous_orders, ${added('previous_revenue')} AS previous_revenue
              FROM (SELECT * FROM analytics.summary_customer_parts WHERE task_id = $1) w
              FULL JOIN ${outside.customers(b)} x
                ON x.customer_id = w.customer_id) h
      LEFT JOIN analytics.staging_users u ON u.task_id = $1 AND u.user_id = h.customer_id`;
  await db.query(sql, params);
}

/** Per product: units in the 28 days ending E and item revenue in both periods, window part plus outside part. */
async function buildProductSales(db: Queryable, window: SummaryWindow, outside: OutsideParts): Promise<void> {
  const params: unknown[] = [window.taskId];
  const b = summaryBounds(window, params);
  const sql = `CREATE TEMP TABLE ${PRODUCT_SALES} ON COMMIT DROP AS
    SELECT product_id, sum(velocity_units)::int AS velocity_units, sum(current_revenue) AS current_revenue, sum(previous_revenue) AS previous_revenue
      FROM (SELECT product_id, velocity_units, current_revenue, previous_revenue FROM analytics.summary_product_parts WHERE task_id = $1
            UNION ALL
            SELECT product_id, velocity_units, current_revenue, previous_revenue FROM ${outside.products(b)} x) parts
     GROUP BY product_id`;
  await db.query(sql, params);
}

/**
 * One pass over the customer history, grouped by the segment drivers' part (the segment, or 'Unknown' for customers
 * the CRM does not know): both periods' revenue, orders and customers, and the VIP count.
 */
async function readCustomerFigures(db: Queryable) {
  const { rows } = await db.query<{
    name: string; in_periods: number; vip: number;
    current_revenue: string; current_orders: number; current_customers: number;
    previous_revenue: string; previous_orders: number; previous_customers: number;
  }>(
    `SELECT CASE WHEN crm_known THEN segment ELSE 'Unknown' END AS name,
            count(*) FILTER (WHERE current_orders > 0 OR previous_orders > 0)::int AS in_periods,
            count(*) FILTER (WHERE crm_known AND segment = 'VIP')::int AS vip,
            sum(current_revenue)::text AS current_revenue, sum(current_orders)::int AS current_orders,
            count(*) FILTER (WHERE current_orders > 0)::int AS current_customers,
            sum(previous_revenue)::text AS previous_revenue, sum(previous_orders)::int AS previous_orders,
            count(*) FILTER (WHERE previous_orders > 0)::int AS previous_customers
       FROM ${CUSTOMER_HISTORY} GROUP BY 1`,
  );
  const total = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
  const figures = (revenue: number, orders: number, customers: number): z.infer<typeof periodFigures> => ({
    total_revenue: round2(revenue),
    total_orders: orders,
    average_order_value: orders > 0 ? round2(revenue / orders) : 0,
    unique_customers: customers,
  });
  const period_overview: ExecutiveSummary['period_overview'] = {
    ...figures(total((row) => Number(row.current_revenue)), total((row) => row.current_orders), total((row) => row.current_customers)),
    previous_period: figures(total((row) => Number(row.previous_revenue)), total((row) => row.previous_orders), total((row) => row.previous_customers)),
  };
  return {
    period_overview,
    vip_customers_count: total((row) => row.vip),
    // Customers with an order in either period: the parts add up to the change of order revenue.
    segmentParts: rows.filter((row) => row.in_periods > 0).map((row) => ({ name: row.name, current: row.current_revenue, previous: row.previous_revenue })),
  };
}

/**
 * The churn rule, written once per run to analytics.at_risk_customers: CRM-known customers with at least three
 * orders dated ≤ E who are overdue: d = E − L days since the last order, m = (L − F)/(n − 1) their mean interval; at
 * risk when d > max(30, 2·m) and d ≤ 365. The comparison with 2·m is d·(n − 1) > 2·(L − F), in integers, so
 * "exactly 2·m days" is exact and not at risk. The customers.csv columns are kept over the same orders dated ≤ E
 * (the seed's formulas), with the e-mail and sign-up date from the CRM staging, which is purged after publishing.
 */
async function writeAtRiskCustomers(db: Queryable, window: SummaryWindow): Promise<void> {
  await db.query('DELETE FROM analytics.at_risk_customers WHERE task_id = $1', [window.taskId]);
  await db.query(
    `INSERT INTO analytics.at_risk_customers (
       task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders, order_frequency,
       days_since_last_order, mean_interval_days, customer_segment, acquisition_date, calculated_at)
     SELECT $1, h.customer_id, u.email, h.total, round(h.total / h.n, 2), h.n,
            CASE WHEN h.last_day - h.first_day <= 0 THEN 0 ELSE (h.n - 1) / ((h.last_day - h.first_day) / 30.0)::float8 END,
            $2::date - h.last_day, round((h.last_day - h.first_day)::numeric / (h.n - 1), 2),
            h.segment, u.created_at, now()
       FROM ${CUSTOMER_HISTORY} h
       JOIN analytics.staging_users u ON u.task_id = $1 AND u.user_id = h.customer_id
      WHERE h.crm_known AND h.n >= 3
        AND $2::date - h.last_day > ${CHURN_MIN_GAP_DAYS}
        AND ($2::date - h.last_day) * (h.n - 1) > 2 * (h.last_day - h.first_day)
        AND $2::date - h.last_day <= ${CHURN_HORIZON_DAYS}`,
    [window.taskId, window.endDate],
  );
}

/** The run's at-risk customers, counted by segment, with the value of their orders dated ≤ E. */
async function readChurnRisk(db: Queryable, taskId: string): Promise<ExecutiveSummary['churn_risk']> {
  const { rows } = await db.query<{ segment: string; customers: number; value: string }>(
    `SELECT customer_segment AS segment, count(*)::int AS customers, sum(total_lifetime_value)::text AS value
       FROM analytics.at_risk_customers WHERE task_id = $1 GROUP BY 1`,
    [taskId],
  );
  const count = (segment: string) => rows.find((row) => row.segment === segment)?.customers ?? 0;
  return {
    customers_at_risk: rows.reduce((sum, row) => sum + row.customers, 0),
    lifetime_value_at_risk: round2(rows.reduce((sum, row) => sum + Number(row.value), 0)),
    by_segment: { VIP: count('VIP'), Regular: count('Regular'), Occasional: count('Occasional'), New: count('New') },
  };
}

/**
 * The reorder rule, written once per run to analytics.reorder_products: velocity = units sold in the 28 days ending
 * E ÷ 28; with velocity > 0 the cover is stock ÷ velocity, and cover < coverDays needs a reorder of
 * ceil(velocity × targetDays) − stock. The cover test is stock·28 < coverDays·units, in integers, so a product
 * exactly at the threshold is not listed.
 */
async function writeReorderProducts(db: Queryable, taskId: string, rule: ReorderRule): Promise<void> {
  await db.query('DELETE FROM analytics.reorder_products WHERE task_id = $1', [taskId]);
  await db.query(
    `INSERT INTO analytics.reorder_products (
       task_id, product_id, sku, name, category, stock_on_hand, units_sold_28_days, daily_velocity, days_of_cover, reorder_quantity, calculated_at)
     SELECT $1, p.product_id, p.sku, p.name, p.category, p.stock_on_hand, s.velocity_units,
            s.velocity_units / ${VELOCITY_DAYS}.0, p.stock_on_hand / (s.velocity_units / ${VELOCITY_DAYS}.0),
            (ceil(s.velocity_units * $3::numeric / ${VELOCITY_DAYS}) - p.stock_on_hand)::int, now()
       FROM ${PRODUCT_SALES} s
       JOIN analytics.staging_products p ON p.task_id = $1 AND p.product_id = s.product_id
      WHERE s.velocity_units > 0 AND p.stock_on_hand::bigint * ${VELOCITY_DAYS} < $2::bigint * s.velocity_units`,
    [taskId, rule.coverDays, rule.targetDays],
  );
}

/** The run's products to reorder, most urgent first (lowest cover, then higher velocity, then id), at most 50. */
async function readReorder(db: Queryable, taskId: string): Promise<{ count: number; products: ReorderCandidate[] }> {
  const { rows } = await db.query<{ product_id: string; name: string; category: string; stock_on_hand: number; units: number; reorder_quantity: number; needed: number }>(
    `SELECT product_id::text, name, category, stock_on_hand, units_sold_28_days AS units, reorder_quantity, count(*) OVER ()::int AS needed
       FROM analytics.reorder_products WHERE task_id = $1
      ORDER BY stock_on_hand::float8 / units_sold_28_days, units_sold_28_days DESC, product_id
      LIMIT ${REORDER_LIST_LIMIT}`,
    [taskId],
  );
  return {
    count: rows[0]?.needed ?? 0,
    products: rows.map((row) => {
      const velocity = row.units / VELOCITY_DAYS;
      return {
        product_id: Number(row.product_id),
        name: row.name,
        category: row.category,
        stock_on_hand: row.stock_on_hand,
        daily_velocity: round2(velocity),
        days_of_cover: round2(row.stock_on_hand / velocity),
        reorder_quantity: row.reorder_quantity,
      };
    }),
  };
}

/**
 * The window's top sellers (the TOP_SELLERS products with the highest revenue in product_metrics, as the
 * top_products insight ranks them) that the reorder rule lists with no stock or less than STOCKOUT_COVER_DAYS of
 * cover.
 */
async function readTopSellerStockOuts(db: Queryable, taskId: string): Promise<number> {
  const { rows } = await db.query<{ stock_outs: number }>(
    `WITH top_sellers AS (
       SELECT product_id FROM analytics.product_metrics WHERE task_id = $1 ORDER BY revenue DESC, product_id LIMIT ${TOP_SELLERS})
     SELECT count(*)::int AS stock_outs
       FROM analytics.reorder_products r JOIN top_sellers t ON t.product_id = r.product_id
      WHERE r.task_id = $1 AND (r.stock_on_hand = 0 OR r.stock_on_hand::bigint * ${VELOCITY_DAYS} < ${STOCKOUT_COVER_DAYS}::bigint * r.units_sold_28_days)`,
    [taskId],
  );
  return rows[0]?.stock_outs ?? 0;
}

/**
 * Each window day's revenue and orders against the same weekday of the 8 weeks before it: anomalous when
 * |value − median| > 3 × 1.4826 × MAD and MAD > 0 (a flat baseline flags nothing rather than everything).
 * Days without orders count as 0 in the baseline and the window. Per day: the window part plus the outside part.
 */
async function readAnomalies(db: Queryable, window: SummaryWindow, outside: OutsideParts): Promise<Anomaly[]> {
  const params: unknown[] = [window.taskId];
  const b = summaryBounds(window, params);
  const sql = `WITH per_day AS (
       SELECT day, sum(orders) AS orders, sum(revenue) AS revenue
         FROM (SELECT day, orders::numeric AS orders, revenue FROM analytics.summary_daily_parts WHERE task_id = $1
               UNION ALL
               SELECT day, orders::numeric, revenue FROM ${outside.days(b)} x) parts
        GROUP BY day),
     days AS (
       SELECT d::date AS day, coalesce(p.orders, 0) AS orders, coalesce(p.revenue, 0) AS revenue
         FROM generate_series(${b.startDate} - ${ANOMALY_BASELINE_WEEKS * 7}, ${b.endDate}, interval '1 day') AS d
         LEFT JOIN per_day p ON p.day = d::date),
     series AS (
       SELECT day, 'revenue' AS metric, revenue AS value FROM days
       UNION ALL SELECT day, 'orders', orders FROM days),
     baseline AS (
       SELECT w.metric, w.day, w.value, b.value AS past
         FROM series w
         JOIN series b ON b.metric = w.metric AND b.day IN (${Array.from({ length: ANOMALY_BASELINE_WEEKS }, (_, k) => `w.day - ${7 * (k + 1)}`).join(', ')})
        WHERE w.day >= ${b.startDate}),
     medians AS (
       SELECT metric, day, value, percentile_cont(0.5) WITHIN GROUP (ORDER BY past) AS median
         FROM baseline GROUP BY metric, day, value),
     spread AS (
       SELECT m.metric, m.day, m.value, m.median, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(b.past - m.median)) AS mad
         FROM medians m JOIN baseline b ON b.metric = m.metric AND b.day = m.day
        GROUP BY m.metric, m.day, m.value, m.median)
     SELECT metric, day::text, value::text, median::text AS expected
       FROM spread
      WHERE mad > 0 AND abs(value - median) > ${ANOMALY_THRESHOLD} * mad
      ORDER BY day, metric`;
  const { rows } = await db.query<{ metric: 'revenue' | 'orders'; day: string; value: string; expected: string }>(sql, params);
  return rows.map((row) => {
    const value = Number(row.value);
    const expected = Number(row.expected);
    return {
      metric: row.metric,
      day: row.day,
      value: round2(value),
      expected: round2(expected),
      deviation_percent: expected !== 0 ? round2(((value - expected) / expected) * 100) : null,
    };
  });
}

function driverParts(rows: { name: string; current: string; previous: string }[]): DriverPart[] {
  const parts = rows.map((row) => ({ name: row.name, current: Number(row.current), previous: Number(row.previous) }));
  const total = parts.reduce((sum, part) => sum + part.current - part.previous, 0);
  return parts
    .map((part) => {
      const change = part.current - part.previous;
      return {
        name: part.name,
        current: round2(part.current),
        previous: round2(part.previous),
        change: round2(change),
        share_of_change_percent: total !== 0 ? round2((change / total) * 100) : null,
      };
    })
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.name.localeCompare(b.name));
}

/**
 * The revenue change against the previous period, decomposed. By segment: every customer's orders in both periods
 * under one segment (the seed's formula over their orders dated ≤ E; 'Unknown' for customers the CRM does not know),
 * so the parts add up to the change of order revenue. By category: item revenue (quantity × price) under the
 * product's staged category ('Unknown' when the inventory does not know it); the parts add up to the change of item
 * revenue. A share is a part's change over its decomposition's total change; largest absolute change first.
 */
async function readDrivers(
  db: Queryable,
  taskId: string,
  segmentParts: { name: string; current: string; previous: string }[],
): Promise<ExecutiveSummary['drivers']> {
  const categories = await db.query<{ name: string; current: string; previous: string }>(
    `SELECT coalesce(p.category, 'Unknown') AS name, sum(s.current_revenue)::text AS current, sum(s.previous_revenue)::text AS previous
       FROM ${PRODUCT_SALES} s
       LEFT JOIN analytics.staging_products p ON p.task_id = $1 AND p.product_id = s.product_id
      WHERE s.current_revenue <> 0 OR s.previous_revenue <> 0
      GROUP BY 1`,
    [taskId],
  );
  const bySegment = driverParts(segmentParts);
  return {
    total_change: round2(bySegment.reduce((sum, part) => sum + part.change, 0)),
    by_segment: bySegment,
    by_category: driverParts(categories.rows),
  };
}

/** The pages a recommendation sends a person to. */
export interface RecommendationLinks {
  atRiskCustomers: string;
  reorderProducts: string;
  dashboard: string;
}

/** The figures the rules read beside the summary's own. */
export interface RecommendationSignals {
  /** The revenue_concentration insight's share of revenue from the top 10% of customers. */
  topTenthRevenueSharePercent: number;
  /** Top sellers of the window out of stock or under STOCKOUT_COVER_DAYS of cover. */
  topSellerStockOuts: number;
}

/**
 * Recommendations by the rules of docs/METRICS.md, high first: VIP customers at risk, stock-outs of top sellers and
 * reorders (high); a negative anomaly and a category that drove a drop (medium); revenue concentrated on the top 10%
 * of customers (low).
 */
export function recommend(summary: Omit<ExecutiveSummary, 'recommendations'>, links: RecommendationLinks, signals: RecommendationSignals): Recommendation[] {
  const list: Recommendation[] = [];
  if (summary.churn_risk.by_segment.VIP > 0) {
    list.push({
      priority: 'high',
      title: `Contact ${summary.churn_risk.by_segment.VIP} VIP customers at risk`,
      reason: 'VIP customers are overdue for their next order by more than twice their usual interval.',
      evidence: { vip_at_risk: summary.churn_risk.by_segment.VIP, customers_at_risk: summary.churn_risk.customers_at_risk, lifetime_value_at_risk: summary.churn_risk.lifetime_value_at_risk },
      action_url: links.atRiskCustomers,
    });
  }
  if (signals.topSellerStockOuts > 0) {
    list.push({
      priority: 'high',
      title: `Restock ${signals.topSellerStockOuts} of the top ${TOP_SELLERS} sellers`,
      reason: `Best-selling products are out of stock or have less than ${STOCKOUT_COVER_DAYS} days of stock left.`,
      evidence: { top_seller_stock_outs: signals.topSellerStockOuts, top_sellers: TOP_SELLERS, cover_days_below: STOCKOUT_COVER_DAYS },
      action_url: links.reorderProducts,
    });
  }
  const stockOuts = summary.reorder.filter((product) => product.stock_on_hand === 0).length;
  if (summary.reorder_needed_count > 0) {
    list.push({
      priority: 'high',
      title: `Reorder ${summary.reorder_needed_count} products`,
      reason: stockOuts > 0 ? `${stockOuts} selling products are out of stock.` : 'Selling products will run out before a reorder arrives.',
      evidence: { reorder_needed: summary.reorder_needed_count, out_of_stock: stockOuts },
      action_url: links.reorderProducts,
    });
  }
  const drop = summary.anomalies.find((item) => item.metric === 'revenue' && item.value < item.expected);
  if (drop) {
    list.push({
      priority: 'medium',
      title: `Investigate revenue on ${drop.day}`,
      reason: 'Revenue was far below a typical day of that weekday.',
      evidence: { value: drop.value, expected: drop.expected, deviation_percent: drop.deviation_percent ?? 0 },
      action_url: links.dashboard,
    });
  }
  const fallingCategory = summary.drivers.by_category.find((part) => part.change < 0);
  if (summary.drivers.total_change < 0 && fallingCategory) {
    list.push({
      priority: 'medium',
      title: `${fallingCategory.name} drove the revenue drop`,
      reason: 'The category with the largest fall against the previous period.',
      evidence: { change: fallingCategory.change, share_of_change_percent: fallingCategory.share_of_change_percent ?? 0 },
      action_url: links.dashboard,
    });
  }
  if (signals.topTenthRevenueSharePercent > CONCENTRATION_LIMIT_PERCENT) {
    list.push({
      priority: 'low',
      title: 'Revenue depends on few customers',
      reason: `The top 10% of customers bring more than ${CONCENTRATION_LIMIT_PERCENT}% of revenue.`,
      evidence: { top_10_percent_revenue_share: signals.topTenthRevenueSharePercent },
      action_url: links.dashboard,
    });
  }
  return list;
}

/** The outside part's three sums as temporary tables of the step's transaction, for a copied window. */
const OUTSIDE_COPIES = [
  {
    table: 'summary_outside_customers',
    columns: [
      ['customer_id', 'int8'], ['orders', 'int4'], ['total', 'numeric'], ['first_order_at', 'timestamptz'], ['last_order_at', 'timestamptz'],
      ['current_orders', 'int4'], ['current_revenue', 'numeric'], ['previous_orders', 'int4'], ['previous_revenue', 'numeric'],
    ],
    sql: outsideCustomerPartsSql,
  },
  {
    table: 'summary_outside_products',
    columns: [['product_id', 'int8'], ['velocity_units', 'int4'], ['current_revenue', 'numeric'], ['previous_revenue', 'numeric']],
    sql: outsideProductPartsSql,
  },
  { table: 'summary_outside_days', columns: [['day', 'date'], ['orders', 'int4'], ['revenue', 'numeric']], sql: outsideDailyPartsSql },
] satisfies { table: string; columns: [name: string, type: string][]; sql: (b: SummaryBounds) => string }[];

/**
 * For orders in another database (SOURCE_DATABASE_URL): the outside part is summed there — by the same queries as in
 * place — and streamed COPY to COPY into temporary tables here (rows never parsed in Node, so memory stays flat
 * however long the history). COPY (query) takes no parameters: the bounds are written as escaped literals of the
 * validated window dates, window length and time zone.
 */
async function copyOutsideParts(db: pg.PoolClient, ordersDatabase: pg.Pool, window: SummaryWindow): Promise<OutsideParts> {
  const source = await ordersDatabase.connect();
  try {
    for (const part of OUTSIDE_COPIES) {
      await db.query(`CREATE TEMP TABLE ${part.table} (${part.columns.map(([name, type]) => `${name} ${type}`).join(', ')}) ON COMMIT DROP`);
      const b = summaryBounds(window, (value) => source.escapeLiteral(String(value)));
      const names = part.columns.map(([name]) => name);
      await loadCopyStream(db, part.table, names, source.query(copyTo(`COPY (${part.sql(b)}) TO STDOUT`)));
    }
  } finally {
    source.release();
  }
  return { customers: () => 'summary_outside_customers', products: () => 'summary_outside_products', days: () => 'summary_outside_days' };
}

/**
 * The whole summary for a run, and the reorder list with categories for the low-stock insight. The statements run
 * one after another on the step's one connection, inside its transaction: the two temporary tables live until
 * commit, and the at-risk customers and products to reorder are written with the step's insights or not at all.
 */
export async function readExecutiveSummary(
  db: pg.PoolClient,
  window: SummaryWindow,
  rule: ReorderRule,
  links: RecommendationLinks,
  topTenthRevenueSharePercent: number,
  /** The orders database when the orders live in another one than the app's (a copied window), else null. */
  ordersDatabase: pg.Pool | null = null,
): Promise<{ summary: ExecutiveSummary; reorderCandidates: ReorderCandidate[] }> {
  const outside = ordersDatabase ? await copyOutsideParts(db, ordersDatabase, window) : OUTSIDE_IN_PLACE;
  await buildCustomerHistory(db, window, outside);
  await buildProductSales(db, window, outside);
  await writeAtRiskCustomers(db, window);
  await writeReorderProducts(db, window.taskId, rule);
  const { period_overview, vip_customers_count, segmentParts } = await readCustomerFigures(db);
  const churn_risk = await readChurnRisk(db, window.taskId);
  const reorder = await readReorder(db, window.taskId);
  const anomalies = await readAnomalies(db, window, outside);
  const drivers = await readDrivers(db, window.taskId, segmentParts);
  const topSellerStockOuts = await readTopSellerStockOuts(db, window.taskId);
  const figures = { period_overview, vip_customers_count, churn_risk, reorder_needed_count: reorder.count, reorder: reorder.products, anomalies, drivers };
  // zod drops the candidates' category: the summary's reorder shape is the issue's, exactly.
  const summary = executiveSummarySchema.parse({
    ...figures,
    recommendations: recommend(figures, links, { topTenthRevenueSharePercent, topSellerStockOuts }),
  });
  return { summary, reorderCandidates: reorder.products };
}

const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "Tuesday 3 Nov: revenue 32% below a typical Tuesday". */
export function anomalySentence(item: Anomaly): string {
  const date = new Date(`${item.day}T00:00:00Z`);
  const name = weekday.format(date);
  const percent = item.deviation_percent === null ? '' : `${Math.abs(Math.round(item.deviation_percent))}% `;
  return `${name} ${dayMonth.format(date)}: ${item.metric} ${percent}${item.value < item.expected ? 'below' : 'above'} a typical ${name}`;
}

/** The sentence naming the main driver of the revenue change, by segment or category, whichever part is larger. */
export function driverSentence(drivers: ExecutiveSummary['drivers']): string {
  const candidates = [
    ...drivers.by_segment.slice(0, 1).map((part) => ({ ...part, label: `${part.name} customers` })),
    ...drivers.by_category.slice(0, 1).map((part) => ({ ...part, label: part.name })),
  ].sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
  const main = candidates[0];
  if (!main || drivers.total_change === 0) return 'Revenue did not change against the previous period.';
  const direction = drivers.total_change > 0 ? 'rise' : 'drop';
  const share = main.share_of_change_percent === null ? '' : ` (${Math.round(main.share_of_change_percent)}% of it)`;
  return `${main.label} drove most of the revenue ${direction}${share}.`;
}
