/**
 * generate_insights: typed business insights, each a plain-language sentence plus the numbers behind it,
 * computed by set-based SQL over the task's metrics. Revenue per day, which the dashboard charts, is written by
 * transform_product_metrics.
 *
 * The KPIs come from ../kpis.ts: the window's and the previous window's totals from the orders source, one
 * definition for both.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { volumeWarningInsight } from '@/lib/monitoring/volume-guard';
import { customerAnalyticsVolume } from '../volume';
import { buildKpis, type Kpis, type KpiValue, type WindowTotals } from '../kpis';
import { anomalySentence, driverSentence, readExecutiveSummary, type ExecutiveSummary, type ReorderRule } from '../executive-summary';

export interface Insight {
  kind: 'kpis' | 'segment_mix' | 'top_products' | 'top_categories' | 'revenue_concentration' | 'low_stock' | 'data_quality' | 'volume_drop' | 'anomalies' | 'drivers';
  sentence: string;
  data: Record<string, unknown>;
}

export type InsightsSummary = {
  insights_count: number;
  kinds: Insight['kind'][];
  kpis: Kpis;
  generated_at: string;
  /** Null only when the step ran without the summary's settings (InsightsInput.summary). */
  executive_summary: ExecutiveSummary | null;
};

export interface InsightsInput {
  taskId: string;
  startDate: string;
  endDate: string;
  windowDays: number;
  skippedCustomers: number;
  productsWithoutInventory: number;
  /**
   * The executive summary's settings; `ordersDatabase` is the orders database when the orders live in another one
   * than the app's (a copied window), where the summary reads the orders outside the window.
   */
  summary: { timeZone: string; reorder: ReorderRule; ordersDatabase: pg.Pool | null } | null;
}

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US');
const round2 = (value: number) => Math.round(value * 100) / 100;

/** `1 product`, `2,000 products`: a count with the noun it counts, singular or plural. */
export function counted(value: number, singular: string, plural = `${singular}s`): string {
  return `${count.format(value)} ${value === 1 ? singular : plural}`;
}

/** `the previous day`, `the previous 30 days`. */
export function previousPeriod(days: number): string {
  return days === 1 ? 'the previous day' : `the previous ${count.format(days)} days`;
}

function describeChange(value: KpiValue, windowDays: number): string {
  if (value.change_percent === null) return `with no comparable figure for ${previousPeriod(windowDays)}`;
  if (value.change_percent === 0) return `unchanged on ${previousPeriod(windowDays)}`;
  const direction = value.change_percent > 0 ? 'up' : 'down';
  return `${direction} ${Math.abs(value.change_percent).toFixed(1)}% on ${previousPeriod(windowDays)}`;
}

/**
 * The segment insight: the segment that brought the most revenue, then the VIP share — unless the leader is the
 * VIP segment itself, when the second clause would repeat the first.
 */
export function segmentSentence(leading: { segment: string; customers: number; revenue_share_percent: number } | undefined, vipSharePercent: number): string {
  if (!leading) return 'No customer known to the CRM ordered in this window.';
  const lead = `${leading.segment} customers (${count.format(leading.customers)}) brought ${leading.revenue_share_percent.toFixed(1)}% of revenue`;
  return leading.segment === 'VIP' ? `${lead}.` : `${lead}; VIP customers brought ${vipSharePercent.toFixed(1)}%.`;
}

/** VIP share of the revenue of the customers with metrics (CRM-known), in percent. */
async function readVipShare(client: pg.PoolClient, taskId: string): Promise<number> {
  const { rows } = await client.query<{ vip_revenue: string | null; metrics_revenue: string | null }>(
    `SELECT sum(total_lifetime_value) FILTER (WHERE customer_segment = 'VIP') AS vip_revenue, sum(total_lifetime_value) AS metrics_revenue
       FROM analytics.customer_metrics WHERE task_id = $1`,
    [taskId],
  );
  const total = Number(rows[0]?.metrics_revenue ?? 0);
  return total > 0 ? (Number(rows[0]?.vip_revenue ?? 0) / total) * 100 : 0;
}

async function segmentMix(client: pg.PoolClient, taskId: string) {
  const { rows } = await client.query<{ segment: string; customers: number; revenue: string; orders: number }>(
    `SELECT s.segment, count(m.customer_id)::int AS customers, coalesce(sum(m.total_lifetime_value), 0) AS revenue,
            coalesce(sum(m.total_orders), 0)::int AS orders
     FROM unnest(ARRAY['VIP', 'Regular', 'Occasional', 'New']) WITH ORDINALITY AS s(segment, position)
     LEFT JOIN analytics.customer_metrics m ON m.task_id = $1 AND m.customer_segment = s.segment
     GROUP BY s.segment, s.position ORDER BY s.position`,
    [taskId],
  );
  const total = rows.reduce((sum, row) => sum + Number(row.revenue), 0);
  return rows.map((row) => ({
    segment: row.segment,
    customers: row.customers,
    revenue: Number(row.revenue),
    revenue_share_percent: total > 0 ? round2((Number(row.revenue) / total) * 100) : 0,
    average_order_value: row.orders > 0 ? round2(Number(row.revenue) / row.orders) : 0,
  }));
}

export async function generateInsights(
  pool: pg.Pool,
  input: InsightsInput,
  totals: { current: WindowTotals; previous: WindowTotals },
): Promise<InsightsSummary> {
  return withTransaction(pool, async (client) => {
    await client.query('DELETE FROM analytics.insights WHERE task_id = $1', [input.taskId]);
    const kpis: Kpis = buildKpis(totals.current, totals.previous, await readVipShare(client, input.taskId));
    const days = input.windowDays;
    const insights: Insight[] = [
      {
        kind: 'kpis',
        sentence:
          `Revenue was ${money.format(kpis.revenue.current)} from ${counted(kpis.orders.current, 'order')}, ` +
          `${describeChange(kpis.revenue, days)}; the average order was ${money.format(kpis.average_order_value.current)}.`,
        data: { ...kpis },
      },
    ];

    const segments = await segmentMix(client, input.taskId);
    const leading = [...segments].sort((a, b) => b.revenue - a.revenue)[0];
    insights.push({
      kind: 'segment_mix',
      sentence: segmentSentence(leading && leading.revenue > 0 ? leading : undefined, kpis.vip_revenue_share.current),
      data: { segments },
    });

    const topProducts = await client.query<{ product_id: number; name: string | null; category: string | null; revenue: string; units_sold: number }>(
      `SELECT product_id, name, category, revenue, units_sold FROM analytics.product_metrics
       WHERE task_id = $1 ORDER BY revenue DESC, product_id LIMIT 10`,
      [input.taskId],
    );
    const products = topProducts.rows.map((row) => ({ ...row, revenue: Number(row.revenue) }));
    insights.push({
      kind: 'top_products',
      sentence: products[0]
        ? `The best seller was ${products[0].name ?? `product ${products[0].product_id}`} with ${money.format(products[0].revenue)} ` +
          `from ${counted(products[0].units_sold, 'unit')}.`
        : 'No product sold in this window.',
      data: { products },
    });

    const topCategories = await client.query<{ category: string; revenue: string; units_sold: number }>(
      `SELECT coalesce(category, 'Unknown') AS category, sum(revenue) AS revenue, sum(units_sold)::int AS units_sold
       FROM analytics.product_metrics WHERE task_id = $1
       GROUP BY 1 ORDER BY sum(revenue) DESC, 1 LIMIT 10`,
      [input.taskId],
    );
    const categories = topCategories.rows.map((row) => ({ ...row, revenue: Number(row.revenue) }));
    insights.push({
      kind: 'top_categories',
      sentence: categories[0]
        ? `${categories[0].category} led the categories with ${money.format(categories[0].revenue)}.`
        : 'No category had sales in this window.',
      data: { categories },
    });

    const concentration = await client.query<{ top_customers: number; top_revenue: string | null; total_revenue: string | null }>(
      `WITH ranked AS (
         SELECT total_lifetime_value, row_number() OVER (ORDER BY total_lifetime_value DESC, customer_id) AS position,
                count(*) OVER () AS customers
         FROM analytics.customer_metrics WHERE task_id = $1)
       SELECT count(*) FILTER (WHERE position <= ceil(customers * 0.1))::int AS top_customers,
              sum(total_lifetime_value) FILTER (WHERE position <= ceil(customers * 0.1)) AS top_revenue,
              sum(total_lifetime_value) AS total_revenue
       FROM ranked`,
      [input.taskId],
    );
    const conc = concentration.rows[0];
    const topShare = Number(conc?.total_revenue ?? 0) > 0 ? round2((Number(conc?.top_revenue ?? 0) / Number(conc?.total_revenue)) * 100) : 0;
    insights.push({
      kind: 'revenue_concentration',
      sentence: `The top 10% of customers (${counted(conc?.top_customers ?? 0, 'customer')}) brought ${topShare.toFixed(1)}% of revenue.`,
      data: { top_customers: conc?.top_customers ?? 0, top_revenue_share_percent: topShare },
    });

    const executive = input.summary
      ? await readExecutiveSummary(
          client,
          { taskId: input.taskId, startDate: input.startDate, endDate: input.endDate, windowDays: input.windowDays, timeZone: input.summary.timeZone },
          input.summary.reorder,
          {
            atRiskCustomers: `/analytics/results/${input.taskId}/at-risk-customers.csv`,
            reorderProducts: `/analytics/results/${input.taskId}/products-to-reorder.csv`,
            dashboard: '/',
          },
          topShare,
          input.summary.ordersDatabase,
        )
      : null;
    // Low stock is the reorder rule (../executive-summary.ts), so the dashboard's list and the summary's agree.
    const lowStock = executive
      ? {
          count: executive.summary.reorder_needed_count,
          cover_days: input.summary?.reorder.coverDays ?? null,
          products: executive.reorderCandidates,
        }
      : { count: 0, cover_days: null, products: [] };
    insights.push({
      kind: 'low_stock',
      sentence: !executive
        ? 'Stock cover needs the orders before the window, which live in the separate orders database; it was not computed.'
        : lowStock.count > 0
          ? `${counted(lowStock.count, 'product needs', 'products need')} reordering: less than ${counted(lowStock.cover_days ?? 0, 'day')} of stock at the last 28 days' sales rate.`
          : `Every product that sold in the last 28 days has at least ${counted(lowStock.cover_days ?? 0, 'day')} of stock.`,
      data: lowStock,
    });

    const notes: string[] = [];
    if (input.skippedCustomers > 0) {
      notes.push(`${counted(input.skippedCustomers, 'customer with orders is', 'customers with orders are')} missing from the CRM and left out of customer metrics`);
    }
    if (input.productsWithoutInventory > 0) {
      notes.push(`${counted(input.productsWithoutInventory, 'product that sold is', 'products that sold are')} missing from the inventory`);
    }
    const noteText = notes.join('; ');
    insights.push({
      kind: 'data_quality',
      sentence: notes.length > 0 ? `${noteText.charAt(0).toUpperCase()}${noteText.slice(1)}.` : 'Every customer and product in the orders was found in the CRM and the inventory.',
      data: { skipped_customers: input.skippedCustomers, products_without_inventory: input.productsWithoutInventory },
    });

    if (executive) {
      const { anomalies, drivers } = executive.summary;
      insights.push({
        kind: 'anomalies',
        sentence: anomalies.length > 0
          ? `${anomalies.slice(0, 3).map(anomalySentence).join('; ')}${anomalies.length > 3 ? `; and ${counted(anomalies.length - 3, 'more')}` : ''}.`
          : 'No day of the window was abnormal for its weekday.',
        data: { anomalies },
      });
      insights.push({ kind: 'drivers', sentence: driverSentence(drivers), data: { ...drivers } });
    }

    // Record counts far below recent deliveries: the insight explains the figures if an operator publishes them
    // anyway; holding the snapshot and alerting is update_dashboard's data-quality gate.
    const volumeWarning = await volumeWarningInsight(client, input.taskId, customerAnalyticsVolume);
    if (volumeWarning) insights.push(volumeWarning);

    for (const [position, insight] of insights.entries()) {
      await client.query(
        `INSERT INTO analytics.insights (task_id, position, kind, sentence, data) VALUES ($1, $2, $3, $4, $5)`,
        [input.taskId, position, insight.kind, insight.sentence, JSON.stringify(insight.data)],
      );
    }
    return {
      insights_count: insights.length,
      kinds: insights.map((i) => i.kind),
      kpis,
      generated_at: new Date().toISOString(),
      executive_summary: executive?.summary ?? null,
    };
  });
}
