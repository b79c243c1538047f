/**
 * The executive summary of a run: period overview, churn risk, reorder, anomalies, revenue drivers and
 * recommendations, each by the one definition written in docs/METRICS.md. Every figure is one set-based statement
 * over the orders source (shop.orders / shop.order_items) and the run's staged CRM users and inventory products;
 * nothing is loaded into Node row by row — only the bounded lists (at most 50 products, the window's anomalies,
 * the segment and category parts) come back.
 *
 * Days are calendar days in the delivery time zone; E is the window's end date. The queries join the orders with
 * the run's staging, so they need the orders in the app's database (a `source` boundary).
 */
import type pg from 'pg';
import { z } from 'zod';
import { customerSegmentSql } from './steps/transform-customer-metrics';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface SummaryWindow {
  taskId: string;
  startDate: string;
  endDate: string;
  windowDays: number;
  timeZone: string;
}

export interface ReorderRule {
  coverDays: number;
  targetDays: number;
}

/** Days of sales the reorder rule's velocity is measured over. */
export const VELOCITY_DAYS = 28;
/** Customers more than this many days since their last order have left, not lapsed: out of churn risk. */
export const CHURN_HORIZON_DAYS = 365;
const CHURN_MIN_GAP_DAYS = 30;
/** Same weekdays before a day that make its baseline. */
export const ANOMALY_BASELINE_WEEKS = 8;
/** 1.4826 × MAD estimates the standard deviation of normally distributed values. */
export const ANOMALY_THRESHOLD = 3 * 1.4826;
export const REORDER_LIST_LIMIT = 50;
/** Above this share of revenue from the top 10% of customers, losing a few of them moves the total. */
export const CONCENTRATION_LIMIT_PERCENT = 50;

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

/**
 * The first instant of a calendar day in the delivery time zone, as SQL over a date expression: every day boundary
 * below goes through it, so a window and its previous period cut the orders at the same local midnights.
 */
const dayStart = (date: string, timeZoneParam: string) => `((${date})::timestamp AT TIME ZONE ${timeZoneParam})`;
/** An order's calendar day in the delivery time zone. */
const orderDay = (createdAt: string, timeZoneParam: string) => `(${createdAt} AT TIME ZONE ${timeZoneParam})::date`;

/**
 * Every customer's orders dated ≤ E ($2; $1 the time zone): count n, total, first and last order day. Churn risk,
 * the VIP count and the segment drivers all read it; the whole summary materializes it once (one scan of the order
 * history instead of three at 1M orders), a single figure reads it inline.
 */
const customerHistorySql = `
  SELECT o.customer_id, count(*)::int AS n, sum(o.total_amount) AS total,
         min(${orderDay('o.created_at', '$1')}) AS first_day, max(${orderDay('o.created_at', '$1')}) AS last_day
    FROM shop.orders o
   WHERE o.created_at < ${dayStart('$2::date + 1', '$1')}
   GROUP BY o.customer_id`;

/** Where a figure reads the customer history from: inline by default, or the summary's temporary table. */
export type HistorySource = { kind: 'inline' } | { kind: 'table'; name: string };
const INLINE: HistorySource = { kind: 'inline' };
/**
 * The table form still names $1 and $2 (unused there): a parameter no statement mentions has no type, and PostgreSQL
 * refuses the statement; both forms then take the same parameters.
 */
const historyRelation = (source: HistorySource) =>
  source.kind === 'table' ? `(SELECT * FROM ${source.name} WHERE $1::text IS NOT NULL AND $2::date IS NOT NULL)` : `(${customerHistorySql})`;

/** Window and previous period: revenue, orders, average order value, distinct customers. */
export async function readPeriodOverview(db: Queryable, window: SummaryWindow): Promise<ExecutiveSummary['period_overview']> {
  const { rows } = await db.query<{ in_window: boolean; revenue: string; orders: number; customers: number }>(
    `SELECT o.created_at >= ${dayStart('$2::date', '$1')} AS in_window,
            coalesce(sum(o.total_amount), 0)::text AS revenue, count(*)::int AS orders, count(DISTINCT o.customer_id)::int AS customers
       FROM shop.orders o
      WHERE o.created_at >= ${dayStart('$2::date - $4::int', '$1')} AND o.created_at < ${dayStart('$3::date + 1', '$1')}
      GROUP BY 1`,
    [window.timeZone, window.startDate, window.endDate, window.windowDays],
  );
  const figures = (inWindow: boolean): z.infer<typeof periodFigures> => {
    const row = rows.find((candidate) => candidate.in_window === inWindow);
    const revenue = Number(row?.revenue ?? 0);
    const orders = row?.orders ?? 0;
    return { total_revenue: round2(revenue), total_orders: orders, average_order_value: orders > 0 ? round2(revenue / orders) : 0, unique_customers: row?.customers ?? 0 };
  };
  return { ...figures(true), previous_period: figures(false) };
}

/**
 * CRM-known customers with at least three orders dated ≤ E who are overdue: d = E − L days since the last order,
 * m = (L − F)/(n − 1) their mean interval; at risk when d > max(30, 2·m) and d ≤ 365. The comparison with 2·m is
 * d·(n − 1) > 2·(L − F), in integers, so "exactly 2·m days" is exact and not at risk.
 */
export async function readChurnRisk(db: Queryable, window: SummaryWindow, history: HistorySource = INLINE): Promise<ExecutiveSummary['churn_risk']> {
  const { rows } = await db.query<{ segment: string; customers: number; value: string }>(
    `SELECT ${customerSegmentSql('h.total', 'h.n')} AS segment, count(*)::int AS customers, sum(h.total)::text AS value
       FROM ${historyRelation(history)} h
       JOIN analytics.staging_users u ON u.task_id = $3 AND u.user_id = h.customer_id
      WHERE h.n >= 3
        AND $2::date - h.last_day > ${CHURN_MIN_GAP_DAYS}
        AND ($2::date - h.last_day) * (h.n - 1) > 2 * (h.last_day - h.first_day)
        AND $2::date - h.last_day <= ${CHURN_HORIZON_DAYS}
      GROUP BY 1`,
    [window.timeZone, window.endDate, window.taskId],
  );
  const count = (segment: string) => rows.find((row) => row.segment === segment)?.customers ?? 0;
  return {
    customers_at_risk: rows.reduce((sum, row) => sum + row.customers, 0),
    lifetime_value_at_risk: round2(rows.reduce((sum, row) => sum + Number(row.value), 0)),
    by_segment: { VIP: count('VIP'), Regular: count('Regular'), Occasional: count('Occasional'), New: count('New') },
  };
}

/** Customers whose orders dated ≤ E make them VIP by the seed's formula (CRM-known, like the segments). */
export async function readVipCount(db: Queryable, window: SummaryWindow, history: HistorySource = INLINE): Promise<number> {
  const { rows } = await db.query<{ vip: number }>(
    `SELECT count(*)::int AS vip FROM ${historyRelation(history)} h
       JOIN analytics.staging_users u ON u.task_id = $3 AND u.user_id = h.customer_id
      WHERE ${customerSegmentSql('h.total', 'h.n')} = 'VIP'`,
    [window.timeZone, window.endDate, window.taskId],
  );
  return rows[0]?.vip ?? 0;
}

/**
 * Products to reorder: velocity = units sold in the 28 days ending E ÷ 28; with velocity > 0 the cover is
 * stock ÷ velocity, and cover < coverDays needs a reorder of ceil(velocity × targetDays) − stock. The cover test is
 * stock·28 < coverDays·units, in integers, so a product exactly at the threshold is not listed.
 */
export async function readReorder(db: Queryable, window: SummaryWindow, rule: ReorderRule): Promise<{ count: number; products: ReorderCandidate[] }> {
  const { rows } = await db.query<{ product_id: string; name: string; category: string; stock_on_hand: number; units: number; reorder_quantity: number; needed: number }>(
    `WITH sold AS (
       SELECT i.product_id, sum(i.quantity)::int AS units
         FROM shop.order_items i JOIN shop.orders o ON o.id = i.order_id
        WHERE o.created_at >= ${dayStart(`$2::date - ${VELOCITY_DAYS - 1}`, '$1')} AND o.created_at < ${dayStart('$2::date + 1', '$1')}
        GROUP BY i.product_id)
     SELECT p.product_id::text, p.name, p.category, p.stock_on_hand, s.units,
            (ceil(s.units * $5::numeric / ${VELOCITY_DAYS}) - p.stock_on_hand)::int AS reorder_quantity,
            count(*) OVER ()::int AS needed
       FROM analytics.staging_products p
       JOIN sold s ON s.product_id = p.product_id
      WHERE p.task_id = $3 AND s.units > 0 AND p.stock_on_hand::bigint * ${VELOCITY_DAYS} < $4::bigint * s.units
      ORDER BY p.stock_on_hand::float8 / s.units, s.units DESC, p.product_id
      LIMIT ${REORDER_LIST_LIMIT}`,
    [window.timeZone, window.endDate, window.taskId, rule.coverDays, rule.targetDays],
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
 * Each window day's revenue and orders against the same weekday of the 8 weeks before it: anomalous when
 * |value − median| > 3 × 1.4826 × MAD and MAD > 0 (a flat baseline flags nothing rather than everything).
 * Days without orders count as 0 in the baseline and the window.
 */
export async function readAnomalies(db: Queryable, window: SummaryWindow): Promise<Anomaly[]> {
  const { rows } = await db.query<{ metric: 'revenue' | 'orders'; day: string; value: string; expected: string }>(
    `WITH per_day AS (
       SELECT ${orderDay('o.created_at', '$1')} AS day, count(*)::numeric AS orders, sum(o.total_amount) AS revenue
         FROM shop.orders o
        WHERE o.created_at >= ${dayStart(`$2::date - ${ANOMALY_BASELINE_WEEKS * 7}`, '$1')} AND o.created_at < ${dayStart('$3::date + 1', '$1')}
        GROUP BY 1),
     days AS (
       SELECT d::date AS day, coalesce(p.orders, 0) AS orders, coalesce(p.revenue, 0) AS revenue
         FROM generate_series($2::date - ${ANOMALY_BASELINE_WEEKS * 7}, $3::date, interval '1 day') AS d
         LEFT JOIN per_day p ON p.day = d::date),
     series AS (
       SELECT day, 'revenue' AS metric, revenue AS value FROM days
       UNION ALL SELECT day, 'orders', orders FROM days),
     baseline AS (
       SELECT w.metric, w.day, w.value, b.value AS past
         FROM series w
         JOIN series b ON b.metric = w.metric AND b.day IN (${Array.from({ length: ANOMALY_BASELINE_WEEKS }, (_, k) => `w.day - ${7 * (k + 1)}`).join(', ')})
        WHERE w.day >= $2::date),
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
      ORDER BY day, metric`,
    [window.timeZone, window.startDate, window.endDate],
  );
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
export async function readDrivers(db: Queryable, window: SummaryWindow, history: HistorySource = INLINE): Promise<ExecutiveSummary['drivers']> {
  // $1 and $2 (time zone and E) as the history's SQL numbers them; both queries use every parameter.
  const params = [window.timeZone, window.endDate, window.windowDays, window.taskId, window.startDate];
  const periodOf = `CASE WHEN o.created_at >= ${dayStart('$5::date', '$1')} THEN 'current' ELSE 'previous' END`;
  const inPeriods = `o.created_at >= ${dayStart('$5::date - $3::int', '$1')} AND o.created_at < ${dayStart('$2::date + 1', '$1')}`;
  const [segments, categories] = await Promise.all([
    db.query<{ name: string; current: string; previous: string }>(
      `WITH periods AS (
         SELECT o.customer_id, sum(o.total_amount) FILTER (WHERE ${periodOf} = 'current') AS current,
                sum(o.total_amount) FILTER (WHERE ${periodOf} = 'previous') AS previous
           FROM shop.orders o WHERE ${inPeriods} GROUP BY o.customer_id),
       history AS (SELECT * FROM ${historyRelation(history)} h WHERE h.customer_id IN (SELECT customer_id FROM periods))
       SELECT CASE WHEN u.user_id IS NULL THEN 'Unknown' ELSE ${customerSegmentSql('h.total', 'h.n')} END AS name,
              coalesce(sum(p.current), 0)::text AS current, coalesce(sum(p.previous), 0)::text AS previous
         FROM periods p JOIN history h ON h.customer_id = p.customer_id
         LEFT JOIN analytics.staging_users u ON u.task_id = $4 AND u.user_id = p.customer_id
        GROUP BY 1`,
      params,
    ),
    db.query<{ name: string; current: string; previous: string }>(
      `SELECT coalesce(p.category, 'Unknown') AS name,
              coalesce(sum(i.quantity * i.price) FILTER (WHERE ${periodOf} = 'current'), 0)::text AS current,
              coalesce(sum(i.quantity * i.price) FILTER (WHERE ${periodOf} = 'previous'), 0)::text AS previous
         FROM shop.orders o JOIN shop.order_items i ON i.order_id = o.id
         LEFT JOIN analytics.staging_products p ON p.task_id = $4 AND p.product_id = i.product_id
        WHERE ${inPeriods}
        GROUP BY 1`,
      params,
    ),
  ]);
  const bySegment = driverParts(segments.rows);
  return {
    total_change: round2(bySegment.reduce((sum, part) => sum + part.change, 0)),
    by_segment: bySegment,
    by_category: driverParts(categories.rows),
  };
}

/**
 * Recommendations by the rules of docs/METRICS.md, high first: VIP customers at risk and reorders (high); a negative
 * anomaly and a category that drove a drop (medium); revenue concentrated on the top 10% of customers (low; the share
 * is the revenue_concentration insight's).
 */
export function recommend(
  summary: Omit<ExecutiveSummary, 'recommendations'>,
  links: { atRiskCustomers: string; reorderProducts: string; dashboard: string },
  topTenthRevenueSharePercent: number,
): Recommendation[] {
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
  if (topTenthRevenueSharePercent > CONCENTRATION_LIMIT_PERCENT) {
    list.push({
      priority: 'low',
      title: 'Revenue depends on few customers',
      reason: `The top 10% of customers bring more than ${CONCENTRATION_LIMIT_PERCENT}% of revenue.`,
      evidence: { top_10_percent_revenue_share: topTenthRevenueSharePercent },
      action_url: links.dashboard,
    });
  }
  return list;
}

/**
 * The whole summary for a run, and the reorder list with categories for the low-stock insight. The statements run
 * one after another on the step's one connection, inside its transaction (the history table lives until commit).
 */
export async function readExecutiveSummary(
  db: pg.PoolClient,
  window: SummaryWindow,
  rule: ReorderRule,
  links: { atRiskCustomers: string; reorderProducts: string; dashboard: string },
  topTenthRevenueSharePercent: number,
  /**
   * For the reads that need no history table: they run on another connection meanwhile. generate_insights is alone
   * on the critical path by then, so the second core is free. They read the sources and the run's staging, which
   * nothing writes during this step, so they see what the step's own connection sees.
   */
  pool?: pg.Pool,
): Promise<{ summary: ExecutiveSummary; reorderCandidates: ReorderCandidate[] }> {
  const other: Queryable = pool ?? db;
  const independent = (async () => ({
    period_overview: await readPeriodOverview(other, window),
    reorder: await readReorder(other, window, rule),
    anomalies: await readAnomalies(other, window),
  }))();
  // Keeps an early failure of the other connection from going unhandled while this one is busy; awaited below.
  independent.catch(() => undefined);
  // CREATE TABLE … AS may scan in parallel workers; the caller's transaction drops it at commit.
  await db.query(`CREATE TEMP TABLE summary_customer_history ON COMMIT DROP AS ${customerHistorySql}`, [window.timeZone, window.endDate]);
  const history: HistorySource = { kind: 'table', name: 'summary_customer_history' };
  const vip_customers_count = await readVipCount(db, window, history);
  const churn_risk = await readChurnRisk(db, window, history);
  const drivers = await readDrivers(db, window, history);
  const { period_overview, reorder, anomalies } = await independent;
  const figures = { period_overview, vip_customers_count, churn_risk, reorder_needed_count: reorder.count, reorder: reorder.products, anomalies, drivers };
  // zod drops the candidates' category: the summary's reorder shape is the issue's, exactly.
  const summary = executiveSummarySchema.parse({ ...figures, recommendations: recommend(figures, links, topTenthRevenueSharePercent) });
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
