/**
 * transform_product_metrics: per product with sales in the window, one set-based statement over the run's orders
 * (inside the boundary extract_orders pinned), their items and the staged inventory. Products the inventory does
 * not know keep their sales figures with null stock, category and cover.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { assertBoundaryHeld, ordersRelations, PINNED_FIGURES_SQL, type OrdersBoundary, type PinnedFigures } from '../orders-boundary';

export interface ProductMetricsSummary {
  total_products: number;
  products_without_inventory: number;
  calculated_at: string;
}

const productMetricsSql = (orders: string, items: string) => `
WITH sales AS (
  SELECT i.product_id,
         sum(i.quantity)::int                 AS units_sold,
         sum(i.quantity * i.price)            AS revenue,
         count(DISTINCT i.order_id)::int      AS orders_count,
         count(DISTINCT o.customer_id)::int   AS unique_customers
  FROM ${items} i
  JOIN ${orders} o ON o.id = i.order_id
  GROUP BY i.product_id
), inserted AS (
  INSERT INTO analytics.product_metrics (
    task_id, product_id, sku, name, category, units_sold, revenue, orders_count, unique_customers,
    average_selling_price, stock_on_hand, days_of_cover, calculated_at)
  SELECT $1, s.product_id, p.sku, p.name, p.category, s.units_sold, s.revenue, s.orders_count, s.unique_customers,
         round(s.revenue / NULLIF(s.units_sold, 0), 2),
         p.stock_on_hand,
         CASE WHEN s.units_sold > 0 AND p.stock_on_hand IS NOT NULL
              THEN p.stock_on_hand / (s.units_sold::float8 / $2) END,
         $3
  FROM sales s
  LEFT JOIN analytics.staging_products p ON p.task_id = $1 AND p.product_id = s.product_id
  RETURNING stock_on_hand
), pinned AS (
  SELECT ${PINNED_FIGURES_SQL} FROM ${orders} o
)
SELECT count(*)::int AS total_products, count(*) FILTER (WHERE stock_on_hand IS NULL)::int AS without_inventory,
       (SELECT pinned_orders FROM pinned) AS pinned_orders, (SELECT pinned_revenue FROM pinned) AS pinned_revenue
FROM inserted`;

export async function computeProductMetrics(pool: pg.Pool, taskId: string, windowDays: number, boundary: OrdersBoundary): Promise<ProductMetricsSummary> {
  const calculatedAt = new Date();
  const relations = ordersRelations(boundary, 4);
  const counts = await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM analytics.product_metrics WHERE task_id = $1', [taskId]);
    const result = await client.query<{ total_products: number; without_inventory: number } & PinnedFigures>(
      productMetricsSql(relations.orders, relations.items),
      [taskId, windowDays, calculatedAt, ...relations.params],
    );
    const row = result.rows[0] ?? { total_products: 0, without_inventory: 0, pinned_orders: 0, pinned_revenue: '0' };
    assertBoundaryHeld(boundary, row);
    return row;
  });
  return {
    total_products: counts.total_products,
    products_without_inventory: counts.without_inventory,
    calculated_at: calculatedAt.toISOString(),
  };
}
