/**
 * The transforms against a hand-built dataset whose expected metrics were
 * worked out by hand (see the comments in fixture.test-data.ts). The orders sit in shop.* and the transforms read
 * them inside the boundary extract_orders would pin; the tests at the end change the orders after pinning.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '@/lib/engine';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  EXPECTED_CUSTOMER_METRICS, EXPECTED_PRODUCT_METRICS, FIXTURE_ORDERS, FIXTURE_PRODUCTS, FIXTURE_USERS, FIXTURE_WINDOW, orderTotal,
} from './fixture.test-data';
import { pinSourceBoundary, type OrdersBoundary } from './orders-boundary';
import { windowBounds } from './steps/extract-orders';
import { computeCustomerMetrics } from './steps/transform-customer-metrics';
import { computeProductMetrics, ensureDailyRevenue } from './steps/transform-product-metrics';

const PRODUCT_WINDOW = { startDate: FIXTURE_WINDOW.start_date, endDate: FIXTURE_WINDOW.end_date, windowDays: 31, timeZone: 'UTC' };

let testDb: TestDatabase;
let boundary: OrdersBoundary;
const taskId = randomUUID();

async function loadOrders(db: TestDatabase) {
  for (const o of FIXTURE_ORDERS) {
    await db.pool.query(`INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at) VALUES ($1, $2, $3, 'completed', $4)`, [
      o.id, o.customerId, orderTotal(o), o.createdAt,
    ]);
    for (const item of o.items) {
      await db.pool.query(`INSERT INTO shop.order_items (order_id, product_id, quantity, price) VALUES ($1, $2, $3, $4)`, [
        o.id, item.productId, item.quantity, item.price,
      ]);
    }
  }
}

async function stageFixture(db: TestDatabase, task: string) {
  for (const u of FIXTURE_USERS) {
    await db.pool.query(
      `INSERT INTO analytics.staging_users (task_id, user_id, email, name, country, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [task, u.user_id, u.email, u.name, u.country, u.created_at],
    );
  }
  for (const p of FIXTURE_PRODUCTS) {
    await db.pool.query(
      `INSERT INTO analytics.staging_products (task_id, product_id, sku, name, category, price, stock_on_hand) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [task, p.product_id, p.sku, p.name, p.category, p.price, p.stock_on_hand],
    );
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadOrders(testDb);
  const { from, to } = windowBounds(FIXTURE_WINDOW.start_date, FIXTURE_WINDOW.end_date);
  boundary = await pinSourceBoundary(testDb.pool, from, to);
  await stageFixture(testDb, taskId);
  // A second task's staging must never leak into this task's metrics.
  await stageFixture(testDb, randomUUID());
});

afterAll(async () => {
  await testDb.drop();
});

describe('transform_customer_metrics', () => {
  it('computes every column of the seed formulas, skipping customers the CRM does not know', async () => {
    const summary = await computeCustomerMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
    expect(summary.total_customers).toBe(8);
    expect(summary.skipped_customers).toBe(1);

    const { rows } = await testDb.pool.query(
      `SELECT customer_id, customer_email, total_lifetime_value, average_order_value, total_orders, order_frequency,
              days_since_last_order, customer_segment, acquisition_date
       FROM analytics.customer_metrics WHERE task_id = $1 ORDER BY customer_id`,
      [taskId],
    );
    const expected = EXPECTED_CUSTOMER_METRICS;
    expect(rows).toHaveLength(expected.length);
    expected.forEach(([id, ltv, aov, orders, frequency, days, segment], index) => {
      const row = rows[index];
      expect(row.customer_id).toBe(id);
      expect(row.customer_email).toBe(`c${id}@example.com`);
      expect(row.total_lifetime_value).toBe(ltv);
      expect(row.average_order_value).toBe(aov);
      expect(row.total_orders).toBe(orders);
      expect(row.order_frequency).toBeCloseTo(frequency, 10);
      expect(row.days_since_last_order).toBe(days);
      expect(row.customer_segment).toBe(segment);
      expect((row.acquisition_date as Date).toISOString()).toBe(FIXTURE_USERS[id - 1]?.created_at);
    });
  });

  it('replaces its own rows when run again', async () => {
    await computeCustomerMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
    const { rows } = await testDb.pool.query(`SELECT count(*)::int AS n FROM analytics.customer_metrics WHERE task_id = $1`, [taskId]);
    expect(rows[0].n).toBe(8);
  });
});

describe('transform_product_metrics', () => {
  it('computes units, revenue, orders, customers, price and cover per product with sales', async () => {
    const summary = await computeProductMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
    expect(summary.total_products).toBe(5);
    expect(summary.products_without_inventory).toBe(1);

    const { rows } = await testDb.pool.query(
      `SELECT product_id, category, units_sold, revenue, orders_count, unique_customers, average_selling_price,
              stock_on_hand, days_of_cover
       FROM analytics.product_metrics WHERE task_id = $1 ORDER BY product_id`,
      [taskId],
    );
    const expected = EXPECTED_PRODUCT_METRICS;
    expect(rows).toHaveLength(expected.length);
    expected.forEach(([id, category, units, revenue, ordersCount, customers, price, stock, cover], index) => {
      const row = rows[index];
      expect(row.product_id).toBe(id);
      expect(row.category).toBe(category);
      expect(row.units_sold).toBe(units);
      expect(row.revenue).toBe(revenue);
      expect(row.orders_count).toBe(ordersCount);
      expect(row.unique_customers).toBe(customers);
      expect(row.average_selling_price).toBe(price);
      expect(row.stock_on_hand).toBe(stock);
      if (cover === null) expect(row.days_of_cover).toBeNull();
      else expect(row.days_of_cover).toBeCloseTo(cover, 10);
    });
  });

  it('writes orders and revenue for every day of the window, summing to the in-window orders', async () => {
    const { rows } = await testDb.pool.query<{ days: number; orders: number; cents: string }>(
      `SELECT count(*)::int AS days, sum(orders)::int AS orders, (sum(revenue) * 100)::bigint::text AS cents
       FROM analytics.daily_revenue WHERE task_id = $1`,
      [taskId],
    );
    const inWindow = FIXTURE_ORDERS.filter((o) => o.createdAt >= '2026-03-01T00:00:00Z' && o.createdAt < '2026-04-01T00:00:00Z');
    const cents = inWindow.reduce((sum, o) => sum + Math.round(Number(orderTotal(o)) * 100), 0);
    expect(rows[0]).toEqual({ days: 31, orders: inWindow.length, cents: String(cents) });
  });

  it('writes revenue per day for generate_insights when the product transform ran before it did, and only then', async () => {
    const days = async () =>
      (await testDb.pool.query<{ day: string; orders: number }>(`SELECT day::text, orders FROM analytics.daily_revenue WHERE task_id = $1 ORDER BY day`, [taskId])).rows;
    const written = await days();
    await testDb.pool.query('DELETE FROM analytics.daily_revenue WHERE task_id = $1', [taskId]);
    await ensureDailyRevenue(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
    expect(await days()).toEqual(written);
    // Present: left alone (the marked day would be rewritten otherwise).
    await testDb.pool.query(`UPDATE analytics.daily_revenue SET orders = 999 WHERE task_id = $1 AND day = '2026-03-01'`, [taskId]);
    await ensureDailyRevenue(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
    expect((await days())[0]).toEqual({ day: '2026-03-01', orders: 999 });
    await testDb.pool.query(`UPDATE analytics.daily_revenue SET orders = $2 WHERE task_id = $1 AND day = '2026-03-01'`, [taskId, written[0]?.orders]);
  });
});

describe('the orders boundary', () => {
  const metricsRows = async () =>
    (await testDb.pool.query(`SELECT customer_id, total_lifetime_value, total_orders FROM analytics.customer_metrics WHERE task_id = $1 ORDER BY customer_id`, [taskId])).rows;

  it('pins the in-window orders: count, exact revenue and the highest id', () => {
    const inWindow = FIXTURE_ORDERS.filter((o) => o.createdAt >= '2026-03-01T00:00:00Z' && o.createdAt < '2026-04-01T00:00:00Z');
    expect(boundary).toMatchObject({ kind: 'source', orders: inWindow.length, max_order_id: Math.max(...inWindow.map((o) => o.id)) });
    const cents = inWindow.reduce((sum, o) => sum + Math.round(Number(orderTotal(o)) * 100), 0);
    expect(Number(boundary.kind === 'source' ? boundary.revenue : NaN)).toBeCloseTo(cents / 100, 2);
  });

  it('gives a retried transform exactly what the extract saw: an order arriving later in the window stays out', async () => {
    const before = await metricsRows();
    await testDb.pool.query(`INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at) VALUES (9001, 1, 500, 'completed', '2026-03-15T10:00:00Z')`);
    await testDb.pool.query(`INSERT INTO shop.order_items (order_id, product_id, quantity, price) VALUES (9001, 101, 50, 10)`);
    try {
      const customers = await computeCustomerMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
      const products = await computeProductMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary);
      expect(customers.total_customers).toBe(8);
      expect(products.total_products).toBe(5);
      expect(await metricsRows()).toEqual(before);
      const tea = await testDb.pool.query(`SELECT units_sold FROM analytics.product_metrics WHERE task_id = $1 AND product_id = 101`, [taskId]);
      expect(tea.rows[0]?.units_sold).toBe(EXPECTED_PRODUCT_METRICS.find(([id]) => id === 101)?.[2]);
    } finally {
      await testDb.pool.query('DELETE FROM shop.order_items WHERE order_id = 9001');
      await testDb.pool.query('DELETE FROM shop.orders WHERE id = 9001');
    }
  });

  it('refuses, keeping the previous rows, when an order inside the boundary changed after pinning', async () => {
    const before = await metricsRows();
    await testDb.pool.query('UPDATE shop.orders SET total_amount = total_amount + 1 WHERE id = 1');
    try {
      await expect(computeCustomerMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary)).rejects.toThrow(PermanentError);
      await expect(computeProductMetrics(testDb.pool, taskId, PRODUCT_WINDOW, boundary)).rejects.toThrow(/rerun from extract_orders/);
      expect(await metricsRows()).toEqual(before);
    } finally {
      await testDb.pool.query('UPDATE shop.orders SET total_amount = total_amount - 1 WHERE id = 1');
    }
  });
});
