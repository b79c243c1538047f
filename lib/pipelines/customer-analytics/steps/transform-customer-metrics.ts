/**
 * transform_customer_metrics: the seed's per-customer metrics, as one set-based statement over the run's orders
 * (inside the boundary extract_orders pinned) and its staged CRM users. Customers the CRM does not know are skipped
 * and counted. Reruns replace the task's rows in the same transaction, so a retry never leaves a mix.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { noEarlierOrderSql, type PinnedCustomerFigures } from '../kpis';
import { assertBoundaryHeld, ordersRelations, type OrdersBoundary, type PinnedFigures } from '../orders-boundary';
import { customerPartColumns, summaryBounds, type SummaryBounds, type SummaryPeriods } from '../summary-parts';

export type CustomerMetricsSummary = {
  total_customers: number;
  skipped_customers: number;
  metrics_calculated: string[];
  calculated_at: string;
  /**
   * The window's KPI customer figures over the same pinned orders (every customer with an order, CRM-known or not),
   * for generate_insights. Null for a copied window (SOURCE_DATABASE_URL): the history that decides who is a
   * first-time buyer lives in the other database, so the KPIs read it there.
   */
  window_customers: PinnedCustomerFigures | null;
};

/**
 * Totals per customer over the run's orders, into a temporary table. CREATE TABLE … AS may run in parallel
 * workers; an INSERT … SELECT (or a data-modifying WITH) never does, which made the single biggest scan of the
 * run twice as slow as it has to be on two cores. The same pass sums the executive summary's window part
 * (`summary_*` columns, ../summary-parts.ts).
 */
const customerTotalsSql = (orders: string, bounds: SummaryBounds) => `
CREATE TEMP TABLE customer_totals ON COMMIT DROP AS
SELECT customer_id,
       sum(total_amount)                                  AS total,
       count(*)::int                                      AS orders,
       min((created_at AT TIME ZONE 'UTC')::date)         AS first_day,
       max((created_at AT TIME ZONE 'UTC')::date)         AS last_day,
       ${customerPartColumns(bounds, 'summary_')}
FROM ${orders} o
GROUP BY customer_id`;

/** The summary's window part per customer, from the same pass (every customer with an order, CRM-known or not). */
const CUSTOMER_PARTS_SQL = `
INSERT INTO analytics.summary_customer_parts (
  task_id, customer_id, orders, total, first_order_at, last_order_at, current_orders, current_revenue, previous_orders, previous_revenue)
SELECT $1, customer_id, summary_orders, summary_total, summary_first_order_at, summary_last_order_at,
       summary_current_orders, summary_current_revenue, summary_previous_orders, summary_previous_revenue
FROM customer_totals`;

// Dates are UTC calendar days. order_frequency and the segment thresholds follow the seed's Ruby exactly;
// days_since_last_order counts to the window's end date (not today) so a rerun reproduces the same rows.
/**
 * The seed's segment formula over a customer's order total and count, in SQL: the one definition every figure that
 * names a segment uses (customer metrics, churn risk by segment, revenue drivers by segment).
 */
export const customerSegmentSql = (total: string, orders: string) =>
  `CASE WHEN ${total} >= 1000 AND ${orders} >= 10 THEN 'VIP'
        WHEN ${total} >= 500 OR ${orders} >= 5 THEN 'Regular'
        WHEN ${total} >= 100 OR ${orders} >= 2 THEN 'Occasional'
        ELSE 'New' END`;

const CUSTOMER_METRICS_SQL = `
WITH inserted AS (
  INSERT INTO analytics.customer_metrics (
    task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
    order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at)
  SELECT $1, c.customer_id, u.email, c.total, round(c.total / c.orders, 2), c.orders,
         CASE WHEN c.orders < 2 OR c.last_day - c.first_day <= 0 THEN 0
              ELSE (c.orders - 1) / ((c.last_day - c.first_day) / 30.0)::float8 END,
         $2::date - c.last_day,
         ${customerSegmentSql('c.total', 'c.orders')},
         u.created_at, $3
  FROM customer_totals c
  JOIN analytics.staging_users u ON u.task_id = $1 AND u.user_id = c.customer_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted)::int AS total_customers,
       (SELECT count(*) FROM customer_totals)::int AS customers_with_orders,
       (SELECT coalesce(sum(orders), 0) FROM customer_totals)::int AS pinned_orders,
       (SELECT coalesce(sum(total), 0) FROM customer_totals)::text AS pinned_revenue`;

export async function computeCustomerMetrics(
  pool: pg.Pool,
  taskId: string,
  periods: SummaryPeriods,
  boundary: OrdersBoundary,
): Promise<CustomerMetricsSummary> {
  const calculatedAt = new Date();
  const endDate = periods.endDate;
  const relations = ordersRelations(boundary, 1);
  const counts = await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM analytics.customer_metrics WHERE task_id = $1', [taskId]);
    await client.query('DELETE FROM analytics.summary_customer_parts WHERE task_id = $1', [taskId]);
    const params = [...relations.params];
    await client.query(customerTotalsSql(relations.orders, summaryBounds(periods, params)), params);
    await client.query(CUSTOMER_PARTS_SQL, [taskId]);
    const result = await client.query<{ total_customers: number; customers_with_orders: number } & PinnedFigures>(CUSTOMER_METRICS_SQL, [
      taskId,
      endDate,
      calculatedAt,
    ]);
    const row = result.rows[0] ?? { total_customers: 0, customers_with_orders: 0, pinned_orders: 0, pinned_revenue: '0' };
    // The per-customer sums cover every order inside the boundary: the check costs nothing extra.
    assertBoundaryHeld(boundary, row);
    const windowCustomers = boundary.kind === 'source' ? await countFirstTimeBuyers(client, boundary.from, row.customers_with_orders) : null;
    return { ...row, windowCustomers };
  });
  return {
    total_customers: counts.total_customers,
    skipped_customers: counts.customers_with_orders - counts.total_customers,
    metrics_calculated: ['total_lifetime_value', 'average_order_value', 'order_frequency', 'days_since_last_order', 'customer_segment'],
    calculated_at: calculatedAt.toISOString(),
    window_customers: counts.windowCustomers,
  };
}

/** Of the window's customers (customer_totals), those with no order before the window: the KPIs' first-time buyers. */
async function countFirstTimeBuyers(client: pg.PoolClient, windowStart: string, customersWithOrders: number): Promise<PinnedCustomerFigures> {
  const { rows } = await client.query<{ first_time_buyers: number }>(
    `SELECT count(*)::int AS first_time_buyers FROM customer_totals c WHERE ${noEarlierOrderSql('c.customer_id', '$1::timestamptz')}`,
    [windowStart],
  );
  return { active_customers: customersWithOrders, first_time_buyers: rows[0]?.first_time_buyers ?? 0 };
}
