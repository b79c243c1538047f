/**
 * "Needs attention today" against a real PostgreSQL: the dashboard of a published run shows that run's executive
 * summary as its generate_insights step stored it (read through the runtime's reader, as the web process does),
 * recommendations high first, the reorder list cut to five, anomalies by day, the two CSV links of the run; a run
 * published without a summary shows none; and each run's summary is read once however often the dashboard is
 * recomputed. The summary below is written by hand, so every expected value is a literal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';
import { publishDashboard } from '@/lib/pipelines/customer-analytics/steps/update-dashboard';
import { executiveSummaryReader } from '@/lib/runtime/executive-summary';
import { needsAttention, readOncePerRun, type AttentionSource } from './attention';
import { dashboardQuerySchema, loadDashboard } from './read-model';

const SETTINGS: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2026-01-01T00:00:00Z') };
const NOW = new Date('2026-03-11T09:00:00Z');

const product = (id: number, stock: number) => ({
  product_id: id, name: `Product ${id}`, stock_on_hand: stock, daily_velocity: 2, days_of_cover: stock / 2, reorder_quantity: 56 - stock,
});

/** A whole executive summary in the shape generate_insights stores (docs/METRICS.md), figures chosen by hand. */
const SUMMARY = {
  period_overview: {
    total_revenue: 10_500, total_orders: 42, average_order_value: 250, unique_customers: 30,
    previous_period: { total_revenue: 12_000, total_orders: 48, average_order_value: 250, unique_customers: 33 },
  },
  vip_customers_count: 12,
  churn_risk: { customers_at_risk: 9, lifetime_value_at_risk: 23_456.78, by_segment: { VIP: 3, Regular: 4, Occasional: 2, New: 0 } },
  reorder_needed_count: 7,
  reorder: [product(11, 0), product(12, 0), product(13, 1), product(14, 2), product(15, 3), product(16, 5), product(17, 6)],
  anomalies: [
    { metric: 'orders', day: '2026-03-10', value: 20, expected: 40, deviation_percent: -50 },
    { metric: 'revenue', day: '2026-03-10', value: 5_000, expected: 10_000, deviation_percent: -50 },
    { metric: 'revenue', day: '2026-03-03', value: 30_000, expected: 10_000, deviation_percent: 200 },
  ],
  drivers: { total_change: -1_500, by_segment: [], by_category: [] },
  recommendations: [
    { priority: 'medium', title: 'Investigate revenue on 2026-03-10', reason: 'Far below.', evidence: { value: 5_000 }, action_url: '/' },
    { priority: 'high', title: 'Contact 3 VIP customers at risk', reason: 'Overdue.', evidence: { vip_at_risk: 3 }, action_url: '/analytics/results/x/customers.csv' },
    { priority: 'low', title: 'Revenue depends on few customers', reason: 'Concentrated.', evidence: { top_10_percent_revenue_share: 61 }, action_url: '/' },
    { priority: 'high', title: 'Reorder 7 products', reason: '2 selling products are out of stock.', evidence: { reorder_needed: 7 }, action_url: '/analytics/results/x/products.csv' },
  ],
} as const;

let testDb: TestDatabase;

/** A completed run of `day` whose generate_insights step stored `result`, published as the day's delivery. */
async function publishedRun(day: string, result: unknown): Promise<string> {
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, completed_at)
     VALUES ('data_pipeline', 'customer_analytics', '1.0.0', 'completed', $1, 'test', $2::date + 1, $2::date + 1) RETURNING id`,
    [JSON.stringify({ date_range: { start_date: day, end_date: day } }), day],
  );
  const taskId = rows[0]?.id ?? '';
  await testDb.pool.query(
    `INSERT INTO steps (task_id, name, position, pipeline, task_created_at, status, retryable, retry_limit, result)
     VALUES ($1, 'generate_insights', 0, 'data_pipeline/customer_analytics@1.0.0', now(), 'completed', true, 3, $2)`,
    [taskId, JSON.stringify(result)],
  );
  // Just enough output for the data-quality gate to publish: one customer and the orders KPI.
  await testDb.pool.query(
    `INSERT INTO analytics.customer_metrics (task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
       order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at)
     VALUES ($1, 1, 'one@example.test', 250, 250, 1, 1, 0, 'New', now(), now())`,
    [taskId],
  );
  const kpi = { current: 42, previous: null, change_percent: null };
  await testDb.pool.query(`INSERT INTO analytics.insights (task_id, position, kind, sentence, data) VALUES ($1, 0, 'kpis', 'Orders.', $2)`, [
    taskId,
    JSON.stringify({ revenue: kpi, orders: kpi, average_order_value: kpi, active_customers: kpi, first_time_buyers: kpi, vip_revenue_share: kpi }),
  ]);
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + 1);
  at.setUTCHours(5);
  await publishDashboard(testDb.pool, { taskId, startDate: day, endDate: day }, { policy: SETTINGS, at });
  return taskId;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('needs attention today', () => {
  it('shows the published run’s summary: high first, five products to reorder, anomalies by day, the run’s CSV links', async () => {
    const taskId = await publishedRun('2026-03-10', { insights_count: 0, executive_summary: SUMMARY });
    const reader = readOncePerRun(executiveSummaryReader(testDb));
    const load = await loadDashboard(testDb.pool, dashboardQuerySchema.parse({}), NOW, SETTINGS, reader);
    if (load.kind !== 'ready') throw new Error(`expected the published run, got ${load.kind}`);
    expect(load.data.snapshot.taskId).toBe(taskId);
    expect(load.data.attention).toEqual({
      recommendations: [SUMMARY.recommendations[1], SUMMARY.recommendations[3], SUMMARY.recommendations[0], SUMMARY.recommendations[2]],
      churn: {
        customersAtRisk: 9,
        lifetimeValueAtRisk: 23_456.78,
        bySegment: [{ segment: 'VIP', customers: 3 }, { segment: 'Regular', customers: 4 }, { segment: 'Occasional', customers: 2 }, { segment: 'New', customers: 0 }],
      },
      reorder: { count: 7, products: [product(11, 0), product(12, 0), product(13, 1), product(14, 2), product(15, 3)] },
      anomalies: [SUMMARY.anomalies[2], SUMMARY.anomalies[1], SUMMARY.anomalies[0]],
      revenueAnomalyDays: ['2026-03-03', '2026-03-10'],
      links: {
        atRiskCustomersCsv: `/analytics/results/${taskId}/at-risk-customers.csv`,
        productsToReorderCsv: `/analytics/results/${taskId}/products-to-reorder.csv`,
      },
    });
  });

  it('says there is none for a run published without a summary (an older publish)', async () => {
    await publishedRun('2026-03-11', { insights_count: 7, kinds: ['kpis'] });
    const load = await loadDashboard(testDb.pool, dashboardQuerySchema.parse({}), new Date('2026-03-12T09:00:00Z'), SETTINGS, executiveSummaryReader(testDb));
    if (load.kind !== 'ready') throw new Error(`expected the published run, got ${load.kind}`);
    expect(load.data.attention).toBeNull();
  });

  it('has nothing to order or list when the summary is empty, and no summary gives no section', () => {
    const quiet: AttentionSource = {
      churn_risk: { customers_at_risk: 0, lifetime_value_at_risk: 0, by_segment: { VIP: 0, Regular: 0, Occasional: 0, New: 0 } },
      reorder_needed_count: 0,
      reorder: [],
      anomalies: [],
      recommendations: [],
    };
    expect(needsAttention(quiet, 't')).toMatchObject({ recommendations: [], reorder: { count: 0, products: [] }, anomalies: [], revenueAnomalyDays: [] });
    expect(needsAttention(null, 't')).toBeNull();
  });
});

describe('readOncePerRun', () => {
  it('reads each run once, forgets a failed read, and keeps only the latest runs', async () => {
    const reads: string[] = [];
    let failNext = false;
    const reader = readOncePerRun(async (taskId) => {
      reads.push(taskId);
      if (failNext) {
        failNext = false;
        throw new Error('database unreachable');
      }
      return null;
    }, 2);
    await reader('a');
    await reader('a');
    await reader('b');
    expect(reads).toEqual(['a', 'b']);
    failNext = true;
    await expect(reader('c')).rejects.toThrow('database unreachable');
    await reader('c');
    expect(reads).toEqual(['a', 'b', 'c', 'c']);
    // Two kept: 'b' and 'c'; 'a' was the least recently used and is read again.
    await reader('b');
    await reader('a');
    expect(reads).toEqual(['a', 'b', 'c', 'c', 'a']);
  });
});
