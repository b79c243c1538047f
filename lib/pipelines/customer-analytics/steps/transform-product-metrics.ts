/**
 * transform_product_metrics: per product with sales in the window, one set-based statement over the run's orders
 * (inside the boundary extract_orders pinned), their items and the staged inventory. Products the inventory does
 * not know keep their sales figures with null stock, category and cover.
 *
 * It also writes the window's revenue per day (the dashboard's chart). That is a sales figure read from the same
 * pinned orders, and its sums are the run's order count and revenue, which is what the boundary check needs anyway:
 * one scan of the orders does both. It used to be generate_insights' own scan, at the run's tail where one core
 * sat idle; here it replaces the boundary check's scan (docs/BENCHMARKS.md, runs of 2026-12-01 09:30–10:20Z).
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { assertBoundaryHeld, ordersRelations, type OrdersBoundary, type OrdersRelations, type PinnedFigures } from '../orders-boundary';
import { productPartColumns, summaryBounds, type SummaryBounds, type SummaryPeriods } from '../summary-parts';

export type ProductMetricsSummary = {
  total_products: number;
  products_without_inventory: number;
  calculated_at: string;
};

/**
 * Sales per product into a temporary table: CREATE TABLE … AS may scan and join in parallel workers, an INSERT never
 * does. The same pass sums the executive summary's window part (../summary-parts.ts).
 */
const productSalesSql = (orders: string, items: string, bounds: SummaryBounds) => `
CREATE TEMP TABLE product_sales ON COMMIT DROP AS
SELECT i.product_id,
       sum(i.quantity)::int                 AS units_sold,
       sum(i.quantity * i.price)            AS revenue,
       count(DISTINCT i.order_id)::int      AS orders_count,
       count(DISTINCT o.customer_id)::int   AS unique_customers,
       ${productPartColumns(bounds)}
FROM ${items} i
JOIN ${orders} o ON o.id = i.order_id
GROUP BY i.product_id`;

const PRODUCT_PARTS_SQL = `
INSERT INTO analytics.summary_product_parts (task_id, product_id, velocity_units, current_revenue, previous_revenue)
SELECT $1, product_id, velocity_units, current_revenue, previous_revenue FROM product_sales`;

const PRODUCT_METRICS_SQL = `
WITH inserted AS (
  INSERT INTO analytics.product_metrics (
    task_id, product_id, sku, name, category, units_sold, revenue, orders_count, unique_customers,
    average_selling_price, stock_on_hand, days_of_cover, calculated_at)
  SELECT $1, s.product_id, p.sku, p.name, p.category, s.units_sold, s.revenue, s.orders_count, s.unique_customers,
         round(s.revenue / NULLIF(s.units_sold, 0), 2),
         p.stock_on_hand,
         CASE WHEN s.units_sold > 0 AND p.stock_on_hand IS NOT NULL
              THEN p.stock_on_hand / (s.units_sold::float8 / $2) END,
         $3
  FROM product_sales s
  LEFT JOIN analytics.staging_products p ON p.task_id = $1 AND p.product_id = s.product_id
  RETURNING stock_on_hand
)
SELECT count(*)::int AS total_products, count(*) FILTER (WHERE stock_on_hand IS NULL)::int AS without_inventory
FROM inserted`;

/**
 * The window's first and last calendar day (UTC), its length in days (the cover's sales rate), and the delivery
 * time zone the executive summary's window part counts its days in.
 */
export type ProductWindow = SummaryPeriods;

/**
 * Orders and revenue per day of the window, every day present (0 on a day without orders). Per day into a temporary
 * table first: CREATE TABLE … AS may scan the orders in parallel workers, an INSERT never does. Grouped by the UTC
 * day (the chart's) and the delivery-time-zone day (the summary's window part: the anomalies' days) in one pass — in
 * UTC both are the same day. Returns the sums.
 */
async function writeDailyRevenue(client: pg.PoolClient, taskId: string, window: SummaryPeriods, relations: OrdersRelations): Promise<PinnedFigures> {
  await client.query('DELETE FROM analytics.daily_revenue WHERE task_id = $1', [taskId]);
  await client.query('DELETE FROM analytics.summary_daily_parts WHERE task_id = $1', [taskId]);
  const params = [...relations.params];
  const bounds = summaryBounds(window, params);
  await client.query(
    `CREATE TEMP TABLE orders_per_day ON COMMIT DROP AS
     SELECT (o.created_at AT TIME ZONE 'UTC')::date AS day, ${bounds.localDay('o.created_at')} AS local_day,
            count(*)::int AS orders, sum(o.total_amount) AS revenue
     FROM ${relations.orders} o GROUP BY 1, 2`,
    params,
  );
  await client.query(
    `INSERT INTO analytics.daily_revenue (task_id, day, orders, revenue)
     SELECT $1, d::date, coalesce(o.orders, 0), coalesce(o.revenue, 0)
     FROM generate_series($2::date, $3::date, interval '1 day') AS d
     LEFT JOIN (SELECT day, sum(orders)::int AS orders, sum(revenue) AS revenue FROM orders_per_day GROUP BY day) o ON o.day = d::date`,
    [taskId, window.startDate, window.endDate],
  );
  await client.query(
    `INSERT INTO analytics.summary_daily_parts (task_id, day, orders, revenue)
     SELECT $1, local_day, sum(orders)::int, sum(revenue) FROM orders_per_day GROUP BY local_day`,
    [taskId],
  );
  // Summed over every order inside the boundary (not over the window's days), so an order outside them counts too.
  const { rows } = await client.query<PinnedFigures>(
    `SELECT coalesce(sum(orders), 0)::int AS pinned_orders, coalesce(sum(revenue), 0)::text AS pinned_revenue FROM orders_per_day`,
  );
  return rows[0] ?? { pinned_orders: 0, pinned_revenue: '0' };
}

export async function computeProductMetrics(pool: pg.Pool, taskId: string, window: ProductWindow, boundary: OrdersBoundary): Promise<ProductMetricsSummary> {
  const calculatedAt = new Date();
  const relations = ordersRelations(boundary, 1);
  const counts = await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM analytics.product_metrics WHERE task_id = $1', [taskId]);
    await client.query('DELETE FROM analytics.summary_product_parts WHERE task_id = $1', [taskId]);
    const params = [...relations.params];
    await client.query(productSalesSql(relations.orders, relations.items, summaryBounds(window, params)), params);
    await client.query(PRODUCT_PARTS_SQL, [taskId]);
    const result = await client.query<{ total_products: number; without_inventory: number }>(PRODUCT_METRICS_SQL, [taskId, window.windowDays, calculatedAt]);
    // Items are pinned through their orders: the orders inside the boundary must be the ones the extract pinned.
    assertBoundaryHeld(boundary, await writeDailyRevenue(client, taskId, window, relations));
    return result.rows[0] ?? { total_products: 0, without_inventory: 0 };
  });
  return {
    total_products: counts.total_products,
    products_without_inventory: counts.without_inventory,
    calculated_at: calculatedAt.toISOString(),
  };
}

/**
 * Writes revenue per day for a run whose transform_product_metrics completed before this step wrote it (an upgrade
 * between the two steps of one run), with the same boundary check; generate_insights calls it first. For every
 * other run it is one index probe.
 */
export async function ensureDailyRevenue(pool: pg.Pool, taskId: string, window: SummaryPeriods, boundary: OrdersBoundary): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ written: boolean }>('SELECT EXISTS (SELECT 1 FROM analytics.daily_revenue WHERE task_id = $1) AS written', [taskId]);
    if (rows[0]?.written) return;
    assertBoundaryHeld(boundary, await writeDailyRevenue(client, taskId, window, ordersRelations(boundary, 1)));
  });
}
