/**
 * transform_product_metrics: per product with sales in the window, one set-based statement over the run's orders
 * (inside the boundary extract_orders pinned), their items and the staged inventory. Products the inventory does
 * not know keep their sales figures with null stock, category and cover.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { assertBoundaryHeld, ordersRelations, PINNED_FIGURES_SQL, type OrdersBoundary, type PinnedFigures } from '../orders-boundary';

export type ProductMetricsSummary = {
  total_products: number;
  products_without_inventory: number;
  calculated_at: string;
};

/** Sales per product into a temporary table: CREATE TABLE … AS may scan and join in parallel workers, an INSERT never does. */
const productSalesSql = (orders: string, items: string) => `
CREATE TEMP TABLE product_sales ON COMMIT DROP AS
SELECT i.product_id,
       sum(i.quantity)::int                 AS units_sold,
       sum(i.quantity * i.price)            AS revenue,
       count(DISTINCT i.order_id)::int      AS orders_count,
       count(DISTINCT o.customer_id)::int   AS unique_customers
FROM ${items} i
JOIN ${orders} o ON o.id = i.order_id
GROUP BY i.product_id`;

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

export async function computeProductMetrics(pool: pg.Pool, taskId: string, windowDays: number, boundary: OrdersBoundary): Promise<ProductMetricsSummary> {
  const calculatedAt = new Date();
  const relations = ordersRelations(boundary, 1);
  const counts = await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM analytics.product_metrics WHERE task_id = $1', [taskId]);
    await client.query(productSalesSql(relations.orders, relations.items), relations.params);
    const result = await client.query<{ total_products: number; without_inventory: number }>(PRODUCT_METRICS_SQL, [taskId, windowDays, calculatedAt]);
    // Items are pinned through their orders: the orders inside the boundary must be the ones the extract pinned.
    const pinned = await client.query<PinnedFigures>(`SELECT ${PINNED_FIGURES_SQL} FROM ${relations.orders} o`, relations.params);
    assertBoundaryHeld(boundary, pinned.rows[0] ?? { pinned_orders: 0, pinned_revenue: '0' });
    return result.rows[0] ?? { total_products: 0, without_inventory: 0 };
  });
  return {
    total_products: counts.total_products,
    products_without_inventory: counts.without_inventory,
    calculated_at: calculatedAt.toISOString(),
  };
}
