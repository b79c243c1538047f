/**
 * Each executive-summary definition (docs/METRICS.md) against fixtures small enough to compute by hand. The expected
 * numbers in the comments were worked out on paper from the rows inserted here, not by the code under test.
 *
 * Every figure is computed the way a run computes it: the two transforms sum the window part in their scans, then the
 * summary adds the orders outside the window. A one-day window puts almost every fixture order in the outside part;
 * the tests with longer windows put them in the window part, and must give the same figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { withTransaction } from '@/db/transaction';
import { pinSourceBoundary } from './orders-boundary';
import { computeCustomerMetrics } from './steps/transform-customer-metrics';
import { computeProductMetrics } from './steps/transform-product-metrics';
import {
  anomalySentence,
  driverSentence,
  readExecutiveSummary,
  recommend,
  type ExecutiveSummary,
  type ReorderRule,
  type SummaryWindow,
} from './executive-summary';

let testDb: TestDatabase;
const TASK = '0190c0de-0000-7000-8000-000000000028';
const RULE = { coverDays: 14, targetDays: 28 };
/** E = Tuesday 2026-06-30; a one-day window unless a test says otherwise. */
const WINDOW: SummaryWindow = { taskId: TASK, startDate: '2026-06-30', endDate: '2026-06-30', windowDays: 1, timeZone: 'UTC' };

let nextOrderId = 1;
async function order(customer: number, total: number, createdAt: string, items: [product: number, quantity: number, price: number][] = []) {
  const id = nextOrderId++;
  await testDb.pool.query(`INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at) VALUES ($1, $2, $3, 'completed', $4)`, [
    id,
    customer,
    total,
    createdAt,
  ]);
  for (const [product, quantity, price] of items) {
    await testDb.pool.query(`INSERT INTO shop.order_items (order_id, product_id, quantity, price) VALUES ($1, $2, $3, $4)`, [id, product, quantity, price]);
  }
}
async function crmUsers(...ids: number[]) {
  for (const id of ids) {
    await testDb.pool.query(
      `INSERT INTO analytics.staging_users (task_id, user_id, email, name, country, created_at) VALUES ($1, $2, $3, 'n', 'DE', '2025-01-01T00:00:00Z')`,
      [TASK, id, `u${id}@example.com`],
    );
  }
}
async function inventory(id: number, stock: number, category = 'Toys') {
  await testDb.pool.query(
    `INSERT INTO analytics.staging_products (task_id, product_id, sku, name, category, price, stock_on_hand) VALUES ($1, $2, $3, $4, $5, 10, $6)`,
    [TASK, id, `SKU-${id}`, `Product ${id}`, category, stock],
  );
}
const LINKS = { atRiskCustomers: '/c.csv', reorderProducts: '/p.csv', dashboard: '/' };
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);

/** A run's transforms over the window (its UTC days, pinned like extract_orders pins them), then its summary. */
async function summarize(window: SummaryWindow = WINDOW, rule: ReorderRule = RULE) {
  const boundary = await pinSourceBoundary(testDb.pool, new Date(`${window.startDate}T00:00:00Z`), nextDay(window.endDate));
  await computeCustomerMetrics(testDb.pool, TASK, window, boundary);
  await computeProductMetrics(testDb.pool, TASK, window, boundary);
  return withTransaction(testDb.pool, (client) => readExecutiveSummary(client, window, rule, LINKS, 0));
}

async function reset() {
  await testDb.pool.query('TRUNCATE shop.orders, shop.order_items, analytics.staging_users, analytics.staging_products');
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('churn risk', () => {
  beforeAll(async () => {
    await reset();
    await crmUsers(1, 2, 3, 4, 5, 6, 8, 9);
    // 1: m = 10, d = 160 (21 Jan → 30 Jun) > max(30, 20): at risk; 300 → Occasional. Its order after E counts nowhere.
    for (const day of ['2026-01-01', '2026-01-11', '2026-01-21']) await order(1, 100, `${day}T12:00:00Z`);
    await order(1, 999, '2026-07-02T12:00:00Z');
    // 2: n = 2, overdue for months: not at risk (needs three orders).
    for (const day of ['2026-01-01', '2026-02-01']) await order(2, 100, `${day}T12:00:00Z`);
    // 3: m = 20, d = 40 = 2·m exactly: not at risk (strict >).
    for (const day of ['2026-04-11', '2026-05-01', '2026-05-21']) await order(3, 400, `${day}T12:00:00Z`);
    // 4: m = 20, d = 41: at risk; 1,200 → Regular.
    for (const day of ['2026-04-10', '2026-04-30', '2026-05-20']) await order(4, 400, `${day}T12:00:00Z`);
    // 5: m = 14, d = 366: gone, not at risk.
    for (const day of ['2025-06-01', '2025-06-15', '2025-06-29']) await order(5, 50, `${day}T12:00:00Z`);
    // 6: m = 14, d = 365: at risk; 150 → Occasional.
    for (const day of ['2025-06-02', '2025-06-16', '2025-06-30']) await order(6, 50, `${day}T12:00:00Z`);
    // 7: overdue like 1 but unknown to the CRM: left out.
    for (const day of ['2026-01-01', '2026-01-11', '2026-01-21']) await order(7, 100, `${day}T12:00:00Z`);
    // 8: m = 1, d = 30: not at risk (needs d > 30).
    for (const day of ['2026-05-29', '2026-05-30', '2026-05-31']) await order(8, 100, `${day}T12:00:00Z`);
    // 9: ten orders of 150 five days apart, last 15 Feb: m = 5, d = 135: at risk; 1,500 in 10 orders → VIP.
    for (let k = 0; k < 10; k++) await order(9, 150, new Date(Date.UTC(2026, 0, 1 + 5 * k, 12)).toISOString());
  });

  it('counts overdue CRM customers with three or more orders, by segment, with their value', async () => {
    // At risk: 1 (300), 4 (1,200), 6 (150), 9 (1,500) → 4 customers, 3,150.
    const expected = { customers_at_risk: 4, lifetime_value_at_risk: 3150, by_segment: { VIP: 1, Regular: 1, Occasional: 2, New: 0 } };
    expect((await summarize()).summary.churn_risk).toEqual(expected);
    // The same E with a half-year window: most of those orders are now the transforms' window part.
    expect((await summarize({ ...WINDOW, startDate: '2026-01-01', windowDays: 181 })).summary.churn_risk).toEqual(expected);
  });

  it('keeps the at-risk customers with their days since the last order and mean interval, for the CSV', async () => {
    await summarize();
    const { rows } = await testDb.pool.query(
      `SELECT customer_id::int AS id, customer_email, total_lifetime_value::float8 AS value, total_orders, days_since_last_order,
              mean_interval_days::float8 AS mean_interval, customer_segment
         FROM analytics.at_risk_customers WHERE task_id = $1 ORDER BY customer_id`,
      [TASK],
    );
    expect(rows).toEqual([
      { id: 1, customer_email: 'u1@example.com', value: 300, total_orders: 3, days_since_last_order: 160, mean_interval: 10, customer_segment: 'Occasional' },
      { id: 4, customer_email: 'u4@example.com', value: 1200, total_orders: 3, days_since_last_order: 41, mean_interval: 20, customer_segment: 'Regular' },
      { id: 6, customer_email: 'u6@example.com', value: 150, total_orders: 3, days_since_last_order: 365, mean_interval: 14, customer_segment: 'Occasional' },
      { id: 9, customer_email: 'u9@example.com', value: 1500, total_orders: 10, days_since_last_order: 135, mean_interval: 5, customer_segment: 'VIP' },
    ]);
  });

  it('counts VIP customers by their orders dated up to E', async () => {
    // Only 9 reaches 1,000 in 10 orders; 1's 999 after E would not make it VIP either (4 orders).
    expect((await summarize()).summary.vip_customers_count).toBe(1);
  });
});

describe('reorder', () => {
  beforeAll(async () => {
    await reset();
    // The 28 days ending E: 3 Jun … 30 Jun.
    await inventory(1, 10); // 56 units → v = 2, cover 5 → ceil(56) − 10 = 46
    await inventory(2, 0); // 28 units → v = 1, stock 0, cover 0 → 28
    await inventory(3, 0); // sold only on 2 Jun, outside the 28 days: v = 0, never listed
    await inventory(4, 14); // v = 1, cover exactly 14: not listed (strict <)
    await inventory(5, 13); // v = 1, cover 13 → 28 − 13 = 15
    await inventory(6, 1); // 3 units → v = 3/28 = 0.107, cover 9.33 → ceil(3) − 1 = 2
    await order(100, 1, '2026-06-03T00:00:00Z', [[1, 28, 1], [2, 28, 1], [4, 28, 1], [5, 28, 1], [6, 3, 1]]);
    await order(100, 1, '2026-06-30T23:59:59Z', [[1, 28, 1]]);
    await order(100, 1, '2026-06-02T23:59:59Z', [[3, 50, 1], [1, 100, 1]]);
    await order(100, 1, '2026-07-01T00:00:00Z', [[3, 50, 1], [1, 100, 1]]);
  });

  it('lists products under the cover threshold, most urgent first, with their reorder quantity', async () => {
    const { summary, reorderCandidates } = await summarize();
    expect(summary.reorder_needed_count).toBe(4);
    expect({ count: summary.reorder_needed_count, products: reorderCandidates }).toEqual({
      count: 4,
      products: [
        { product_id: 2, name: 'Product 2', category: 'Toys', stock_on_hand: 0, daily_velocity: 1, days_of_cover: 0, reorder_quantity: 28 },
        { product_id: 1, name: 'Product 1', category: 'Toys', stock_on_hand: 10, daily_velocity: 2, days_of_cover: 5, reorder_quantity: 46 },
        { product_id: 6, name: 'Product 6', category: 'Toys', stock_on_hand: 1, daily_velocity: 0.11, days_of_cover: 9.33, reorder_quantity: 2 },
        { product_id: 5, name: 'Product 5', category: 'Toys', stock_on_hand: 13, daily_velocity: 1, days_of_cover: 13, reorder_quantity: 15 },
      ],
    });
  });

  it('follows the configured cover and target days', async () => {
    // Cover < 6: products 2 (0) and 1 (5); target 10 days: 2 → ceil(10) − 0 = 10, 1 → ceil(20) − 10 = 10.
    const { summary } = await summarize(WINDOW, { coverDays: 6, targetDays: 10 });
    expect(summary.reorder_needed_count).toBe(2);
    expect(summary.reorder.map((p) => [p.product_id, p.reorder_quantity])).toEqual([[2, 10], [1, 10]]);
  });

  it('gives the same list when the 28 days are the window, and flags top sellers that are out of stock or nearly', async () => {
    // Window 3–30 Jun: every product that sold is a top seller (5 of at most 10). Under 7 days of cover: 2 (stock 0)
    // and 1 (cover 5); 6 (9.33) and 5 (13) are not. The one-day window's only seller is 1 (cover 5).
    const month = await summarize({ ...WINDOW, startDate: '2026-06-03', windowDays: 28 });
    expect(month.summary.reorder).toEqual((await summarize()).summary.reorder);
    const restock = month.summary.recommendations.find((r) => r.title.startsWith('Restock'));
    expect(restock).toMatchObject({ priority: 'high', title: 'Restock 2 of the top 10 sellers', evidence: { top_seller_stock_outs: 2 }, action_url: '/p.csv' });
    const oneDay = await summarize();
    expect(oneDay.summary.recommendations.find((r) => r.title.startsWith('Restock'))?.evidence.top_seller_stock_outs).toBe(1);
    const { rows } = await testDb.pool.query(
      `SELECT product_id::int AS id, stock_on_hand, daily_velocity, days_of_cover, reorder_quantity FROM analytics.reorder_products WHERE task_id = $1 ORDER BY product_id`,
      [TASK],
    );
    expect(rows).toEqual([
      { id: 1, stock_on_hand: 10, daily_velocity: 2, days_of_cover: 5, reorder_quantity: 46 },
      { id: 2, stock_on_hand: 0, daily_velocity: 1, days_of_cover: 0, reorder_quantity: 28 },
      { id: 5, stock_on_hand: 13, daily_velocity: 1, days_of_cover: 13, reorder_quantity: 15 },
      { id: 6, stock_on_hand: 1, daily_velocity: 3 / 28, days_of_cover: 28 / 3, reorder_quantity: 2 },
    ]);
  });
});

describe('anomalies', () => {
  beforeAll(async () => {
    await reset();
    // The eight Tuesdays before 30 Jun, one order each: revenue 100, 110, 90, 100, 105, 95, 100, 100.
    // Sorted 90 95 100 100 100 100 105 110 → median 100; |dev| 0 0 0 0 5 5 10 10 → MAD 2.5; threshold 3 × 1.4826 × 2.5 = 11.12.
    const tuesdays = ['2026-06-23', '2026-06-16', '2026-06-09', '2026-06-02', '2026-05-26', '2026-05-19', '2026-05-12', '2026-05-05'];
    const revenue = [100, 110, 90, 100, 105, 95, 100, 100];
    for (const [i, day] of tuesdays.entries()) await order(1, revenue[i] ?? 0, `${day}T10:00:00Z`);
    // 30 Jun: two orders of 30 → revenue 60 (40 below the median: anomalous); orders 2 against a flat 1 (MAD 0: not).
    await order(1, 30, '2026-06-30T09:00:00Z');
    await order(1, 30, '2026-06-30T15:00:00Z');
  });

  it('flags a day far from its weekday median, and nothing where MAD is 0', async () => {
    const anomalies = (await summarize()).summary.anomalies;
    expect(anomalies).toEqual([{ metric: 'revenue', day: '2026-06-30', value: 60, expected: 100, deviation_percent: -40 }]);
    expect(anomalySentence(anomalies[0]!)).toBe('Tuesday 30 Jun: revenue 40% below a typical Tuesday');
  });

  it('finds nothing when the day is within the threshold', async () => {
    // 90 on 30 Jun would be |−10| < 11.12: add 30 more to the 60.
    await order(1, 30, '2026-06-30T18:00:00Z');
    expect((await summarize()).summary.anomalies.filter((a) => a.metric === 'revenue')).toEqual([]);
  });
});

describe('period overview and drivers', () => {
  const twoDays: SummaryWindow = { ...WINDOW, startDate: '2026-06-29', endDate: '2026-06-30', windowDays: 2 };
  beforeAll(async () => {
    await reset();
    await crmUsers(1, 2);
    await inventory(1, 100, 'Toys');
    await inventory(2, 100, 'Books');
    // Previous period 27–28 Jun; window 29–30 Jun.
    await order(1, 100, '2026-06-27T10:00:00Z', [[1, 1, 100]]);
    await order(2, 50, '2026-06-28T10:00:00Z', [[2, 1, 50]]);
    await order(1, 300, '2026-06-29T10:00:00Z', [[1, 1, 100], [2, 2, 100]]);
    await order(3, 20, '2026-06-30T10:00:00Z', [[99, 1, 20]]);
  });

  it('gives both periods the same four figures', async () => {
    // Window: 300 + 20 = 320 from 2 orders (AOV 160), customers 1 and 3. Previous: 150 from 2 orders (75), customers 1 and 2.
    expect((await summarize(twoDays)).summary.period_overview).toEqual({
      total_revenue: 320,
      total_orders: 2,
      average_order_value: 160,
      unique_customers: 2,
      previous_period: { total_revenue: 150, total_orders: 2, average_order_value: 75, unique_customers: 2 },
    });
  });

  it('decomposes the change by segment and by category, largest first', async () => {
    // Segments over orders ≤ E: 1 has 2 orders, 400 → Occasional (100 → 300, +200); 2 has 1 order, 50 → New (50 → 0, −50);
    // 3 is unknown to the CRM (0 → 20, +20). Total +170: shares 117.65 %, −29.41 %, 11.76 %.
    // Categories (item revenue): Books 50 → 200 (+150, 88.24 %), Unknown 0 → 20 (+20, 11.76 %), Toys 100 → 100 (0).
    const drivers = (await summarize(twoDays)).summary.drivers;
    expect(drivers).toEqual({
      total_change: 170,
      by_segment: [
        { name: 'Occasional', current: 300, previous: 100, change: 200, share_of_change_percent: 117.65 },
        { name: 'New', current: 0, previous: 50, change: -50, share_of_change_percent: -29.41 },
        { name: 'Unknown', current: 20, previous: 0, change: 20, share_of_change_percent: 11.76 },
      ],
      by_category: [
        { name: 'Books', current: 200, previous: 50, change: 150, share_of_change_percent: 88.24 },
        { name: 'Unknown', current: 20, previous: 0, change: 20, share_of_change_percent: 11.76 },
        { name: 'Toys', current: 100, previous: 100, change: 0, share_of_change_percent: 0 },
      ],
    });
    expect(driverSentence(drivers)).toBe('Occasional customers drove most of the revenue rise (118% of it).');
  });

  it('gives the same overview and drivers when both periods are inside the window', async () => {
    // A four-day window 27–30 Jun holds all four orders; its previous period (23–26 Jun) has none.
    const fourDays = { ...WINDOW, startDate: '2026-06-27', windowDays: 4 };
    const { summary } = await summarize(fourDays);
    // 100 + 50 + 300 + 20 = 470 from 4 orders (117.50), customers 1, 2 and 3.
    expect(summary.period_overview).toEqual({
      total_revenue: 470,
      total_orders: 4,
      average_order_value: 117.5,
      unique_customers: 3,
      previous_period: { total_revenue: 0, total_orders: 0, average_order_value: 0, unique_customers: 0 },
    });
    // Occasional (customer 1) 400, New (2) 50, Unknown (3) 20: total change +470.
    expect(summary.drivers.by_segment.map((part) => [part.name, part.change])).toEqual([['Occasional', 400], ['New', 50], ['Unknown', 20]]);
  });

  it('cuts days at midnight in the delivery time zone', async () => {
    await reset();
    // 29 Jun 02:00 UTC is 28 Jun 22:00 in New York (previous period there, window in UTC);
    // 1 Jul 02:00 UTC is 30 Jun 22:00 in New York (window there, after the window in UTC).
    await order(1, 10, '2026-06-29T02:00:00Z');
    await order(1, 100, '2026-07-01T02:00:00Z');
    const newYork = (await summarize({ ...twoDays, timeZone: 'America/New_York' })).summary.period_overview;
    expect([newYork.total_revenue, newYork.previous_period.total_revenue]).toEqual([100, 10]);
    const utc = (await summarize(twoDays)).summary.period_overview;
    expect([utc.total_revenue, utc.previous_period.total_revenue]).toEqual([10, 0]);
  });

  it('cuts days at midnight east of UTC too, where the window holds hours after E', async () => {
    await reset();
    // Berlin is UTC+2 in summer. 28 Jun 22:30 UTC = 29 Jun 00:30 there (window; before the UTC window);
    // 30 Jun 22:30 UTC = 1 Jul 00:30 (after E there; inside the UTC window); 26 Jun 22:30 UTC = 27 Jun 00:30
    // (previous period there); 26 Jun 21:30 UTC = 26 Jun 23:30 (before both periods there).
    await order(1, 10, '2026-06-28T22:30:00Z');
    await order(1, 100, '2026-06-30T22:30:00Z');
    await order(1, 1000, '2026-06-26T22:30:00Z');
    await order(1, 5, '2026-06-26T21:30:00Z');
    const berlin = (await summarize({ ...twoDays, timeZone: 'Europe/Berlin' })).summary.period_overview;
    expect([berlin.total_revenue, berlin.previous_period.total_revenue]).toEqual([10, 1000]);
    // In UTC: 30 Jun's 100 is the window, 28 Jun's 10 the previous period.
    const utc = (await summarize(twoDays)).summary.period_overview;
    expect([utc.total_revenue, utc.previous_period.total_revenue]).toEqual([100, 10]);
  });
});

describe('recommendations', () => {
  it('puts VIPs at risk and reorders first, then a revenue drop and a falling category', () => {
    const links = { atRiskCustomers: '/c.csv', reorderProducts: '/p.csv', dashboard: '/' };
    const figures = { total_revenue: 0, total_orders: 0, average_order_value: 0, unique_customers: 0 };
    const input: Omit<ExecutiveSummary, 'recommendations'> = {
      period_overview: { ...figures, previous_period: figures },
      vip_customers_count: 3,
      churn_risk: { customers_at_risk: 5, lifetime_value_at_risk: 9000, by_segment: { VIP: 2, Regular: 3, Occasional: 0, New: 0 } },
      reorder_needed_count: 1,
      reorder: [{ product_id: 1, name: 'P', stock_on_hand: 0, daily_velocity: 1, days_of_cover: 0, reorder_quantity: 28 }],
      anomalies: [{ metric: 'revenue', day: '2026-06-30', value: 60, expected: 100, deviation_percent: -40 }],
      drivers: { total_change: -100, by_segment: [], by_category: [{ name: 'Books', current: 0, previous: 100, change: -100, share_of_change_percent: 100 }] },
    };
    const recommendations = recommend(input, links, { topTenthRevenueSharePercent: 62.5, topSellerStockOuts: 1 });
    expect(recommendations.map((r) => [r.priority, r.action_url])).toEqual([
      ['high', '/c.csv'],
      ['high', '/p.csv'],
      ['high', '/p.csv'],
      ['medium', '/'],
      ['medium', '/'],
      ['low', '/'],
    ]);
    expect(recommendations[1]?.evidence).toEqual({ top_seller_stock_outs: 1, top_sellers: 10, cover_days_below: 7 });
    expect(recommendations[2]?.evidence).toEqual({ reorder_needed: 1, out_of_stock: 1 });
    // Without the anomaly one medium goes; 50 % exactly is not above the concentration limit: no low; no stock-out rule.
    expect(recommend({ ...input, anomalies: [] }, links, { topTenthRevenueSharePercent: 50, topSellerStockOuts: 0 }).map((r) => r.priority)).toEqual([
      'high',
      'high',
      'medium',
    ]);
  });
});
