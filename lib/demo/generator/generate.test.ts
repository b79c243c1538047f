/**
 * The data generator against a real PostgreSQL: deterministic for a seed (same counts and checksums),
 * different for another seed, and shaped as the analytics pipeline needs (all four segments, unknown
 * customers, 1–5 items whose sum is the order total, stock-outs, a window ending yesterday).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { parseSeedArgs } from './cli';
import { generateDemoData, orderWindow, type GeneratorOptions } from './generate';
import { seedDemoData, seedIfEmpty } from './seed-if-empty';

const END = new Date('2026-03-01T00:00:00Z');
const OPTIONS: GeneratorOptions = { customers: 2_000, products: 300, days: 30, orders: 30_000, seed: 42, endDate: END };

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

const generate = (options: GeneratorOptions) => generateDemoData({ app: testDb.pool, source: testDb.pool }, options);

/** Row counts and an md5 over every row of every generated table, in key order. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = {
    orders: 'SELECT count(*) AS n, md5(string_agg(t::text, \',\' ORDER BY id)) AS sum FROM shop.orders t',
    order_items: `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY order_id, product_id, quantity, price)) AS sum FROM shop.order_items t`,
    crm_users: 'SELECT count(*) AS n, md5(string_agg(t::text, \',\' ORDER BY user_id)) AS sum FROM demo.crm_users t',
    inventory_products: 'SELECT count(*) AS n, md5(string_agg(t::text, \',\' ORDER BY product_id)) AS sum FROM demo.inventory_products t',
  };
  const result: Record<string, string> = {};
  for (const [name, sql] of Object.entries(tables)) {
    const row = (await testDb.pool.query<{ n: number; sum: string }>(sql)).rows[0];
    result[name] = `${row?.n}:${row?.sum}`;
  }
  return result;
}

describe('generateDemoData', () => {
  it('is deterministic for a seed and differs for another seed', async () => {
    await generate(OPTIONS);
    const first = await fingerprint();
    await generate(OPTIONS);
    const second = await fingerprint();
    expect(second).toEqual(first);
    expect(first.orders?.startsWith('30000:')).toBe(true);
    expect(first.crm_users?.startsWith('2000:')).toBe(true);
    expect(first.inventory_products?.startsWith('300:')).toBe(true);

    await generate({ ...OPTIONS, seed: 43 });
    const other = await fingerprint();
    for (const table of Object.keys(first)) expect(other[table]).not.toEqual(first[table]);
  });

  describe('the shape of the default set', () => {
    beforeAll(async () => {
      await generate(OPTIONS);
    });

    it('has all four customer segments among CRM customers', async () => {
      const segments = await testDb.pool.query<{ segment: string; customers: number }>(`
        WITH spend AS (
          SELECT customer_id, sum(total_amount) AS total, count(*) AS orders
          FROM shop.orders JOIN demo.crm_users ON user_id = customer_id GROUP BY customer_id)
        SELECT CASE WHEN total >= 1000 AND orders >= 10 THEN 'VIP'
                    WHEN total >= 500 OR orders >= 5 THEN 'Regular'
                    WHEN total >= 100 OR orders >= 2 THEN 'Occasional'
                    ELSE 'New' END AS segment,
               count(*)::int AS customers
        FROM spend GROUP BY 1`);
      const bySegment = Object.fromEntries(segments.rows.map((row) => [row.segment, row.customers]));
      for (const segment of ['VIP', 'Regular', 'Occasional', 'New']) expect(bySegment[segment] ?? 0).toBeGreaterThanOrEqual(20);
    });

    it('has repeat buyers and about 3% of orders from customers the CRM does not know', async () => {
      const stats = await testDb.pool.query<{ unknown_share: number; repeat_buyers: number }>(`
        SELECT (SELECT avg((NOT EXISTS (SELECT 1 FROM demo.crm_users u WHERE u.user_id = o.customer_id))::int)::float8
                FROM shop.orders o) AS unknown_share,
               (SELECT count(*)::int FROM (SELECT customer_id FROM shop.orders GROUP BY 1 HAVING count(*) > 1) r) AS repeat_buyers`);
      const row = stats.rows[0];
      expect(row?.unknown_share).toBeGreaterThan(0.02);
      expect(row?.unknown_share).toBeLessThan(0.04);
      expect(row?.repeat_buyers).toBeGreaterThan(1_000);
    });

    it('gives every order 1–5 distinct products whose quantity × price sum to the total', async () => {
      const check = await testDb.pool.query<{ min_items: number; max_items: number; mismatched: number; duplicate_lines: number; unknown_products: number }>(`
        WITH per_order AS (
          SELECT o.id, o.total_amount, count(i.*) AS items, coalesce(sum(i.quantity * i.price), 0) AS items_total,
                 count(DISTINCT i.product_id) AS products
          FROM shop.orders o LEFT JOIN shop.order_items i ON i.order_id = o.id GROUP BY o.id)
        SELECT min(items)::int AS min_items, max(items)::int AS max_items,
               count(*) FILTER (WHERE items_total <> total_amount)::int AS mismatched,
               count(*) FILTER (WHERE products <> items)::int AS duplicate_lines,
               (SELECT count(*)::int FROM shop.order_items i
                 WHERE NOT EXISTS (SELECT 1 FROM demo.inventory_products p WHERE p.product_id = i.product_id AND p.price = i.price)) AS unknown_products
        FROM per_order`);
      expect(check.rows[0]).toEqual({ min_items: 1, max_items: 5, mismatched: 0, duplicate_lines: 0, unknown_products: 0 });
    });

    it('has categories, sold-out and nearly sold-out products', async () => {
      const stock = await testDb.pool.query<{ sold_out: number; low: number; categories: number }>(`
        SELECT count(*) FILTER (WHERE stock_on_hand = 0)::int AS sold_out,
               count(*) FILTER (WHERE stock_on_hand BETWEEN 1 AND 5)::int AS low,
               count(DISTINCT category)::int AS categories
        FROM demo.inventory_products`);
      expect(stock.rows[0]?.sold_out).toBeGreaterThan(0);
      expect(stock.rows[0]?.low).toBeGreaterThan(0);
      expect(stock.rows[0]?.categories).toBeGreaterThanOrEqual(8);
    });

    it('spreads orders over the requested days ending the day before endDate (UTC), ids in time order', async () => {
      const span = await testDb.pool.query<{ first: Date; last: Date; days: number; out_of_order: number }>(`
        SELECT min(created_at) AS first, max(created_at) AS last,
               count(DISTINCT (created_at AT TIME ZONE 'UTC')::date)::int AS days,
               (SELECT count(*)::int FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM shop.orders) s WHERE back) AS out_of_order
        FROM shop.orders`);
      const row = span.rows[0];
      expect(row?.first.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-01-30T00:00:00Z'));
      expect(row?.last.getTime()).toBeLessThan(END.getTime());
      expect(row?.last.toISOString().slice(0, 10)).toBe('2026-02-28');
      expect(row?.days).toBe(30);
      expect(row?.out_of_order).toBe(0);
    });

    it('leaves the indexes and the id sequence in place', async () => {
      const indexes = await testDb.pool.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'shop' ORDER BY indexname`,
      );
      expect(indexes.rows.map((row) => row.indexname)).toEqual(['order_items_order_id_idx', 'orders_created_at_idx', 'orders_customer_created_idx', 'orders_pkey']);
      const next = await testDb.pool.query<{ id: number }>(
        `INSERT INTO shop.orders (customer_id, total_amount, status, created_at) VALUES (1, 1, 'pending', now()) RETURNING id`,
      );
      expect(next.rows[0]?.id).toBe(30_001);
      await testDb.pool.query('DELETE FROM shop.orders WHERE id = 30001');
    });
  });

  it('orderWindow ends at the UTC midnight that starts today', () => {
    const { start, end } = orderWindow(30, new Date('2026-03-01T17:45:00+09:00'));
    expect(end.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(start.toISOString()).toBe('2026-01-30T00:00:00.000Z');
  });
});

describe('seedIfEmpty', () => {
  it('seeds the default set into empty tables and leaves existing data alone', async () => {
    await testDb.pool.query('TRUNCATE shop.order_items, shop.orders, demo.crm_users, demo.inventory_products');
    expect(await seedIfEmpty(testDb.url)).toBe(true);
    const counts = await testDb.pool.query<{ orders: number; users: number; products: number }>(
      `SELECT (SELECT count(*)::int FROM shop.orders) AS orders, (SELECT count(*)::int FROM demo.crm_users) AS users,
              (SELECT count(*)::int FROM demo.inventory_products) AS products`,
    );
    expect(counts.rows[0]).toEqual({ orders: 30_000, users: 2_000, products: 300 });
    const yesterday = orderWindow(1).start.toISOString().slice(0, 10);
    const last = await testDb.pool.query<{ day: string }>(`SELECT to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM shop.orders`);
    expect(last.rows[0]?.day).toBe(yesterday);

    await testDb.pool.query('DELETE FROM shop.orders WHERE id > 10');
    expect(await seedIfEmpty(testDb.url)).toBe(false);
    const remaining = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM shop.orders');
    expect(remaining.rows[0]?.count).toBe(10);
  });
});

describe('a separate orders database (SOURCE_DATABASE_URL)', () => {
  it('puts orders in the source database and CRM/inventory in the app database, with matching prices', async () => {
    const sourceDb = await createTestDatabase();
    try {
      await seedDemoData(testDb.url, sourceDb.url, { customers: 100, products: 40, days: 5, orders: 1_000, seed: 9 });
      const inSource = await sourceDb.pool.query<{ orders: number; users: number }>(
        'SELECT (SELECT count(*)::int FROM shop.orders) AS orders, (SELECT count(*)::int FROM demo.crm_users) AS users',
      );
      expect(inSource.rows[0]).toEqual({ orders: 1_000, users: 0 });
      const inApp = await testDb.pool.query<{ users: number; products: number }>(
        'SELECT (SELECT count(*)::int FROM demo.crm_users) AS users, (SELECT count(*)::int FROM demo.inventory_products) AS products',
      );
      expect(inApp.rows[0]).toEqual({ users: 100, products: 40 });
      // Item prices are recomputed in the source database from the product id: they must match the app's products.
      const products = await testDb.pool.query<{ product_id: number; price: string }>('SELECT product_id, price FROM demo.inventory_products');
      const priceOf = new Map(products.rows.map((row) => [Number(row.product_id), row.price]));
      const items = await sourceDb.pool.query<{ product_id: number; price: string }>('SELECT DISTINCT product_id, price FROM shop.order_items');
      expect(items.rows.length).toBeGreaterThan(0);
      for (const item of items.rows) expect(item.price).toBe(priceOf.get(Number(item.product_id)));
    } finally {
      await sourceDb.drop();
    }
  });
});

describe('npm run seed flags', () => {
  it('defaults to the small set and accepts every flag', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'run', options: { customers: 2_000, products: 300, days: 30, orders: 30_000, seed: 42 } });
    expect(parseSeedArgs(['--orders', '1000000', '--seed', '7', '--days=90'])).toEqual({
      kind: 'run',
      options: { customers: 2_000, products: 300, days: 90, orders: 1_000_000, seed: 7 },
    });
    expect(parseSeedArgs(['--help']).kind).toBe('help');
  });

  it.each([
    [['--orders', 'many'], '--orders: must be a whole number'],
    [['--orders', '0'], '--orders'],
    [['--days', '-3'], '--days'],
    [['--customers', '1.5', '--products', '0'], '--products'],
    [['--color', 'red'], "Unknown option '--color'"],
    [['extra'], 'extra'],
  ])('rejects %j with a usage message', (argv, expected) => {
    const command = parseSeedArgs(argv);
    expect(command.kind).toBe('error');
    const message = command.kind === 'error' ? command.message : '';
    expect(message).toContain(expected);
    expect(message).toContain('Usage: npm run seed');
  });
});
