/**
 * Every KPI and its previous-window value against a fixture small enough to compute by hand. The expected
 * numbers below were worked out on paper from the orders listed here, not by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { buildKpis, readRunWindowTotals, readWindowTotals } from './kpis';

let testDb: TestDatabase;

// Window under test: 2026-05-04 … 2026-05-06 (3 days); the previous window: 2026-05-01 … 2026-05-03.
const ORDERS: [id: number, customer: number, total: string, createdAt: string][] = [
  [1, 10, '100.00', '2026-04-20T10:00:00Z'], // before both windows: customer 10's first order
  [2, 11, '40.00', '2026-05-01T00:00:00Z'], // previous window, first minute: customer 11's first order
  [3, 10, '60.00', '2026-05-02T12:00:00Z'], // previous window: 10 again (not a first-time buyer)
  [4, 12, '25.50', '2026-05-03T23:59:59Z'], // previous window, last second: customer 12's first order
  [5, 11, '30.00', '2026-05-04T00:00:00Z'], // window, first instant: 11 again
  [6, 13, '200.00', '2026-05-05T09:00:00Z'], // window: customer 13's first order
  [7, 13, '50.00', '2026-05-06T18:00:00Z'], // window: 13 again (still one first-time buyer)
  [8, 14, '19.99', '2026-05-06T23:59:59Z'], // window, last second: customer 14's first order
  [9, 15, '999.00', '2026-05-07T00:00:00Z'], // after the window: counts nowhere
];

beforeAll(async () => {
  testDb = await createTestDatabase();
  for (const [id, customer, total, createdAt] of ORDERS) {
    await testDb.pool.query(`INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at) VALUES ($1, $2, $3, 'completed', $4)`, [
      id, customer, total, createdAt,
    ]);
  }
});
afterAll(async () => {
  await testDb?.drop();
});

describe('KPIs', () => {
  it('computes each figure and its previous-window value with the same definition', async () => {
    const totals = await readWindowTotals(testDb.pool, { startDate: '2026-05-04', endDate: '2026-05-06', windowDays: 3 });
    // Window: orders 5, 6, 7, 8 → 30 + 200 + 50 + 19.99 = 299.99; customers 11, 13, 14; first orders: 13 and 14.
    // Previous: orders 2, 3, 4 → 40 + 60 + 25.50 = 125.50; customers 11, 10, 12; first orders: 11 and 12.
    expect(totals).toEqual({
      current: { revenue: 299.99, orders: 4, activeCustomers: 3, firstTimeBuyers: 2 },
      previous: { revenue: 125.5, orders: 3, activeCustomers: 3, firstTimeBuyers: 2 },
    });

    const kpis = buildKpis(totals.current, totals.previous, 62.5);
    expect(kpis).toEqual({
      // (299.99 − 125.50) / 125.50 = 139.036 %
      revenue: { current: 299.99, previous: 125.5, change_percent: 139.04 },
      // (4 − 3) / 3 = 33.33 %
      orders: { current: 4, previous: 3, change_percent: 33.33 },
      // 299.99 / 4 = 74.9975 → 75.00; 125.50 / 3 = 41.8333 → 41.83; change from the unrounded values: 79.276 %
      average_order_value: { current: 75, previous: 41.83, change_percent: 79.28 },
      active_customers: { current: 3, previous: 3, change_percent: 0 },
      first_time_buyers: { current: 2, previous: 2, change_percent: 0 },
      // Segment-based, current window only: no previous figure.
      vip_revenue_share: { current: 62.5, previous: null, change_percent: null },
    });
  });

  it('gives no comparison, not −100 %, when the previous window had no orders', async () => {
    // 2026-04-21 … 2026-04-30 has no orders; its previous window 2026-04-11 … 2026-04-20 holds order 1 only.
    const empty = await readWindowTotals(testDb.pool, { startDate: '2026-04-21', endDate: '2026-04-30', windowDays: 10 });
    expect(empty).toEqual({
      current: { revenue: 0, orders: 0, activeCustomers: 0, firstTimeBuyers: 0 },
      previous: { revenue: 100, orders: 1, activeCustomers: 1, firstTimeBuyers: 1 },
    });
    const reversed = buildKpis(empty.previous, empty.current, 0);
    expect(reversed.revenue).toEqual({ current: 100, previous: 0, change_percent: null });
    expect(reversed.average_order_value).toEqual({ current: 100, previous: null, change_percent: null });
    expect(reversed.first_time_buyers).toEqual({ current: 1, previous: 0, change_percent: null });
  });

  it("reads only the previous window when the run brings the current window's figures from its pinned orders", async () => {
    const window = { startDate: '2026-05-04', endDate: '2026-05-06', windowDays: 3 };
    // Only the previous window is read: orders 2, 3, 4 (the current window's orders are not counted).
    expect(await readWindowTotals(testDb.pool, window, 'previous')).toEqual({
      current: { revenue: 0, orders: 0, activeCustomers: 0, firstTimeBuyers: 0 },
      previous: { revenue: 125.5, orders: 3, activeCustomers: 3, firstTimeBuyers: 2 },
    });
    // The pinned figures are taken as given (here deliberately different from the table, to show they are used).
    const pinned = { orders: 5, revenue: '300.01', customers: { active_customers: 4, first_time_buyers: 1 } };
    expect(await readRunWindowTotals(testDb.pool, window, pinned)).toEqual({
      current: { revenue: 300.01, orders: 5, activeCustomers: 4, firstTimeBuyers: 1 },
      previous: { revenue: 125.5, orders: 3, activeCustomers: 3, firstTimeBuyers: 2 },
    });
    // Without pinned figures (a copied window), both windows come from the orders database.
    expect(await readRunWindowTotals(testDb.pool, window, null)).toEqual(await readWindowTotals(testDb.pool, window));
  });
});
