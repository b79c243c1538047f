/**
 * The data generator against a real PostgreSQL: deterministic for a seed (same counts and checksums),
 * different for another seed, and shaped as the analytics pipeline needs (all four segments, unknown
 * customers, 1–5 items whose sum is the order total, stock-outs, a window ending yesterday) and as the
 * executive summary needs: a weekly pattern, growth, customers who become regulars and who lapse, products that
 * launch over time and the injected anomalous days. Each property is measured here in SQL over the generated
 * rows (daily counts, first and last orders), never by re-running the generator's formulas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { parseSeedArgs } from './cli';
import { generateDemoData, orderWindow, type GeneratorOptions } from './generate';
import { seedDemoData, seedIfEmpty } from './seed-if-empty';

const END = new Date('2026-03-01T00:00:00Z');
/** A year and two months, as the default, at a third of its size. */
const OPTIONS: GeneratorOptions = { customers: 6_000, products: 150, days: 420, orders: 40_000, seed: 42, endDate: END };
/** The window's first day, and the injected anomalies counted back from END by hand (README, "Demo data"). */
const FIRST_DAY = '2025-01-05';
const ANOMALY_DAYS = ['2025-04-05', '2025-08-23', '2025-12-16', '2026-02-06', '2026-02-20'];

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
    expect(first.orders?.startsWith('40000:')).toBe(true);
    expect(first.crm_users?.startsWith('6000:')).toBe(true);
    expect(first.inventory_products?.startsWith('150:')).toBe(true);

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
      expect(row?.repeat_buyers).toBeGreaterThan(2_000);
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
      expect(row?.first.getTime()).toBeGreaterThanOrEqual(Date.parse(`${FIRST_DAY}T00:00:00Z`));
      expect(row?.first.toISOString().slice(0, 10)).toBe(FIRST_DAY);
      expect(row?.last.getTime()).toBeLessThan(END.getTime());
      expect(row?.last.toISOString().slice(0, 10)).toBe('2026-02-28');
      expect(row?.days).toBe(420);
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
      expect(next.rows[0]?.id).toBe(40_001);
      await testDb.pool.query('DELETE FROM shop.orders WHERE id = 40001');
    });

    /** Orders per UTC day, the injected days left out. */
    const ORDINARY_DAYS = `
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::float8 AS orders
        FROM shop.orders
       WHERE (created_at AT TIME ZONE 'UTC')::date <> ALL ($1::date[])
       GROUP BY 1`;

    it('has a weekly pattern: weekends sell about 25% less than weekdays, Friday the most', async () => {
      const { rows } = await testDb.pool.query<{ isodow: number; orders: number }>(
        `SELECT extract(isodow FROM day)::int AS isodow, avg(orders)::float8 AS orders FROM (${ORDINARY_DAYS}) d GROUP BY 1 ORDER BY 1`,
        [ANOMALY_DAYS],
      );
      const byWeekday = new Map(rows.map((row) => [row.isodow, row.orders]));
      const weekday = [1, 2, 3, 4, 5].map((day) => byWeekday.get(day) ?? 0);
      const weekend = [6, 7].map((day) => byWeekday.get(day) ?? 0);
      const weekdayMean = weekday.reduce((sum, value) => sum + value, 0) / weekday.length;
      for (const day of weekend) {
        expect(day / weekdayMean).toBeGreaterThan(0.65);
        expect(day / weekdayMean).toBeLessThan(0.85);
      }
      expect(Math.max(...weekday)).toBe(byWeekday.get(5));
    });

    it('grows: the last 13 weeks have about 37% more orders than the first 13', async () => {
      const { rows } = await testDb.pool.query<{ first: number; last: number }>(
        `SELECT sum(orders) FILTER (WHERE day < $2::date + 91)::float8 AS first,
                sum(orders) FILTER (WHERE day >= $3::date - 91)::float8 AS last
           FROM (${ORDINARY_DAYS}) d`,
        [ANOMALY_DAYS, FIRST_DAY, END.toISOString().slice(0, 10)],
      );
      const ratio = (rows[0]?.last ?? 0) / (rows[0]?.first ?? 1);
      expect(ratio).toBeGreaterThan(1.25);
      expect(ratio).toBeLessThan(1.5);
    });

    it('keeps the average order value steady from day to day, as independent orders give it', async () => {
      // Orders of ~$340 with a standard deviation of ~$420 (per order) make a day's average of n orders vary by
      // about 1.2 / √n; a shared draw across a day's orders (which product is popular today) would show as much more.
      const { rows } = await testDb.pool.query<{ spread: number; expected: number }>(
        `WITH days AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, avg(total_amount)::float8 AS aov, count(*) AS n
                         FROM shop.orders WHERE created_at >= $1::timestamptz - interval '91 days' GROUP BY 1)
         SELECT (stddev(aov) / avg(aov))::float8 AS spread,
                ((SELECT stddev(total_amount) / avg(total_amount) FROM shop.orders) / sqrt(avg(n)))::float8 AS expected
           FROM days`,
        [END.toISOString()],
      );
      const row = rows[0];
      expect(row?.spread).toBeLessThan((row?.expected ?? 0) * 1.3);
    });

    it('has newcomers who become regulars and customers who lapse; nobody orders before signing up', async () => {
      const { rows } = await testDb.pool.query<{ became_regulars: number; lapsed: number; ordered_before_signup: number; active_first_month: number }>(
        `WITH history AS (
           SELECT customer_id, count(*) AS n, min(created_at) AS first_order, max(created_at) AS last_order
             FROM shop.orders WHERE customer_id <= $3 GROUP BY customer_id)
         SELECT count(*) FILTER (WHERE first_order >= $1::timestamptz + interval '90 days' AND n >= 5)::int AS became_regulars,
                count(*) FILTER (WHERE n >= 3 AND first_order >= $1::timestamptz AND last_order < $2::timestamptz - interval '90 days')::int AS lapsed,
                (SELECT count(*)::int FROM history h JOIN demo.crm_users u ON u.user_id = h.customer_id WHERE u.created_at > h.first_order) AS ordered_before_signup,
                count(*) FILTER (WHERE first_order < $1::timestamptz + interval '30 days')::int AS active_first_month
           FROM history`,
        [`${FIRST_DAY}T00:00:00Z`, END.toISOString(), OPTIONS.customers],
      );
      const row = rows[0];
      // Customers who first ordered after the window's first quarter and already have five orders or more.
      expect(row?.became_regulars).toBeGreaterThan(OPTIONS.customers * 0.05);
      // Customers who joined inside the window, ordered at least three times and stopped more than 90 days ago.
      expect(row?.lapsed).toBeGreaterThan(OPTIONS.customers * 0.05);
      expect(row?.ordered_before_signup).toBe(0);
      // Customers join over time: far fewer than all of them have ordered in the first month.
      expect(row?.active_first_month).toBeLessThan(OPTIONS.customers * 0.6);
    });

    it('launches products over time: about 30% of them first sell after the first day, more products sell at the end', async () => {
      const { rows } = await testDb.pool.query<{ launched_later: number; first_month: number; last_month: number }>(
        `WITH sales AS (
           SELECT i.product_id, (o.created_at AT TIME ZONE 'UTC')::date AS day FROM shop.order_items i JOIN shop.orders o ON o.id = i.order_id)
         SELECT (SELECT count(*)::int FROM (SELECT product_id FROM sales GROUP BY 1 HAVING min(day) > $1::date + 7) p) AS launched_later,
                (SELECT count(DISTINCT product_id)::int FROM sales WHERE day < $1::date + 30) AS first_month,
                (SELECT count(DISTINCT product_id)::int FROM sales WHERE day >= $2::date - 30) AS last_month`,
        [FIRST_DAY, END.toISOString().slice(0, 10)],
      );
      const row = rows[0];
      expect(row?.launched_later).toBeGreaterThan(OPTIONS.products * 0.2);
      expect(row?.launched_later).toBeLessThan(OPTIONS.products * 0.35);
      expect(row?.last_month).toBeGreaterThan((row?.first_month ?? 0) + OPTIONS.products * 0.2);
    });

    it('has the injected anomalous days, and only those, far from their weekday over the previous 8 weeks', async () => {
      // Each day against the median of the same weekday in the 8 weeks before it (at least 4 of them known); the
      // ordinary days stay within 30% of it (a few weeks' growth plus noise of 6% SD), the injected ones are ≥ 55% off.
      const { rows } = await testDb.pool.query<{ day: string; deviation: number }>(
        `WITH daily AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::float8 AS orders FROM shop.orders GROUP BY 1),
         compared AS (
           SELECT d.day, d.orders, percentile_cont(0.5) WITHIN GROUP (ORDER BY b.orders) AS median, count(*) AS weeks
             FROM daily d JOIN daily b ON b.day < d.day AND b.day >= d.day - 56 AND (d.day - b.day) % 7 = 0
            GROUP BY d.day, d.orders)
         SELECT day::text AS day, (orders - median) / median AS deviation FROM compared
          WHERE weeks >= 4 AND abs(orders - median) > 0.3 * median ORDER BY day`,
      );
      expect(rows.map((row) => row.day)).toEqual(ANOMALY_DAYS);
      for (const row of rows) expect(Math.abs(row.deviation)).toBeGreaterThan(0.5);
    });
  });

  it('reports the injected anomalous days inside the window, and none of a window too short to hold them', async () => {
    const result = await generate({ ...OPTIONS, customers: 200, products: 30, orders: 2_000 });
    expect(result.anomalies.map((anomaly) => anomaly.day)).toEqual(ANOMALY_DAYS);
    expect(result.anomalies.map((anomaly) => anomaly.factor)).toEqual([0.45, 2, 0.4, 2.2, 0.45]);
    const short = await generate({ ...OPTIONS, customers: 200, products: 30, orders: 2_000, days: 8 });
    expect(short.anomalies).toEqual([]);
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
    expect(counts.rows[0]).toEqual({ orders: 120_000, users: 20_000, products: 300 });
    const yesterday = orderWindow(1).start.toISOString().slice(0, 10);
    const firstDay = orderWindow(420).start.toISOString().slice(0, 10);
    const span = await testDb.pool.query<{ first: string; last: string }>(
      `SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first, to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last FROM shop.orders`,
    );
    expect(span.rows[0]).toEqual({ first: firstDay, last: yesterday });

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
  it('defaults to 14 months of data and accepts every flag', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'run', options: { customers: 20_000, products: 300, days: 420, orders: 120_000, seed: 42 } });
    expect(parseSeedArgs(['--orders', '1000000', '--seed', '7', '--days=90'])).toEqual({
      kind: 'run',
      options: { customers: 20_000, products: 300, days: 90, orders: 1_000_000, seed: 7 },
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
