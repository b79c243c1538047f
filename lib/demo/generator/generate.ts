/**
 * Deterministic demo data: CRM users, inventory products, orders and their items.
 *
 * Everything is generated set-based inside PostgreSQL from `generate_series` and a seeded hash
 * (`hashint8extended(key, seed)`), so a seed always yields the same rows, nothing is built in
 * Node's memory, and a million orders load in seconds. Every random choice is a pure function of
 * (seed, row key, purpose), which is why chunking, parallelism and the two-database split
 * (SOURCE_DATABASE_URL) cannot change the result: an order item's price is recomputed from the
 * product id with the same expression the product row used, instead of joining across databases.
 *
 * Shape of the data (what the customer-analytics pipeline needs to be interesting):
 * - orders pick customers log-uniformly (P(rank k) ∝ 1/k): a few heavy repeat buyers, a long tail
 *   of one- and two-order customers, so the VIP / Regular / Occasional / New segments all appear;
 * - ~3% of orders come from customer ids beyond the CRM's range (the CRM does not know them);
 * - 1–5 lines per order, product popularity skewed the same way, prices log-uniform 2–600;
 * - some products have no stock or only a handful left;
 * - orders spread evenly over the `days` whole UTC days that end yesterday, ids in time order.
 */
import type pg from 'pg';

export interface GeneratorOptions {
  customers: number;
  products: number;
  days: number;
  orders: number;
  seed: number;
  /** Exclusive end of the order window, a UTC midnight. Default: today 00:00 UTC (so orders end yesterday). */
  endDate?: Date;
}

export const DEFAULT_GENERATOR_OPTIONS: Omit<GeneratorOptions, 'endDate'> = {
  customers: 2_000,
  products: 300,
  days: 30,
  orders: 30_000,
  seed: 42,
};

export interface GeneratorProgress {
  phase: 'prepare' | 'customers' | 'products' | 'orders' | 'indexes' | 'analyze' | 'done';
  ordersDone?: number;
  ordersTotal?: number;
}

export interface GeneratorTargets {
  /** Database of the demo CRM and inventory APIs (schema `demo`). */
  app: pg.Pool;
  /** The orders database (schema `shop`); may be the same pool as `app`. */
  source: pg.Pool;
}

export interface GeneratorResult {
  customers: number;
  products: number;
  orders: number;
  orderItems: number;
  windowStart: Date;
  windowEnd: Date;
  elapsedMs: number;
}

const ORDER_CHUNK = 50_000;
/** Each of the machine's two cores loads one chunk at a time. */
const LOAD_CONNECTIONS = 2;
const UNKNOWN_CUSTOMER_SHARE = 0.03;

const CATEGORIES: ReadonlyArray<{ name: string; nouns: readonly string[] }> = [
  { name: 'Electronics', nouns: ['Headphones', 'Charger', 'Speaker', 'Keyboard', 'Mouse', 'Webcam'] },
  { name: 'Home & Kitchen', nouns: ['Kettle', 'Pan', 'Knife Set', 'Blender', 'Mug', 'Toaster'] },
  { name: 'Books', nouns: ['Novel', 'Cookbook', 'Atlas', 'Biography', 'Notebook', 'Comic'] },
  { name: 'Clothing', nouns: ['T-Shirt', 'Hoodie', 'Jacket', 'Scarf', 'Jeans', 'Sneakers'] },
  { name: 'Sports', nouns: ['Yoga Mat', 'Dumbbell', 'Water Bottle', 'Tennis Racket', 'Helmet', 'Jump Rope'] },
  { name: 'Toys', nouns: ['Puzzle', 'Building Set', 'Plush Bear', 'Board Game', 'Kite', 'Robot'] },
  { name: 'Beauty', nouns: ['Face Cream', 'Shampoo', 'Lip Balm', 'Perfume', 'Hair Dryer', 'Soap'] },
  { name: 'Garden', nouns: ['Trowel', 'Planter', 'Hose', 'Seed Pack', 'Gloves', 'Lantern'] },
  { name: 'Grocery', nouns: ['Coffee Beans', 'Olive Oil', 'Green Tea', 'Chocolate', 'Honey', 'Granola'] },
  { name: 'Office', nouns: ['Desk Lamp', 'Stapler', 'Pen Set', 'Monitor Stand', 'Planner', 'Chair Mat'] },
];
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Essential', 'Premium', 'Pro', 'Smart', 'Travel', 'Vintage'];
const FIRST_NAMES = [
  'Ada', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Liam',
  'Maya', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wen', 'Yusuf',
];
const LAST_NAMES = [
  'Adams', 'Becker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Khan',
  'Larsen', 'Moreau', 'Novak', 'Okafor', 'Patel', 'Rossi', 'Silva', 'Tanaka', 'Weber',
];
/** Repetition weights the draw towards larger markets. */
const COUNTRIES = [
  'US', 'US', 'US', 'US', 'US', 'US', 'GB', 'GB', 'GB', 'DE', 'DE', 'FR', 'FR', 'CA', 'CA',
  'AU', 'NL', 'SE', 'ES', 'IT', 'JP', 'BR', 'IN', 'MX',
];

const text = (value: string) => `'${value.replaceAll("'", "''")}'`;
const textArray = (values: readonly string[]) => `ARRAY[${values.map(text).join(',')}]`;

/**
 * A uniform draw in [0, 1) for `key` and `purpose`: the low 48 bits of a seeded 64-bit hash.
 * `purpose` separates independent draws for the same row (customer choice, time, status, …).
 */
function uniform(seed: number, keySql: string, purpose: number): string {
  return `((hashint8extended((${keySql})::bigint, ${seed * 256 + purpose}) & 281474976710655)::float8 / 281474976710656.0)`;
}

/** Product price, log-uniform between 2 and 600. Shared by products and order items (see header). */
function productPrice(seed: number, productIdSql: string): string {
  return `round(exp(ln(2) + ${uniform(seed, productIdSql, 3)} * ln(300))::numeric, 2)`;
}

/** Index of a log-uniform (1/k) draw in 1..count: heavy head, long tail. */
function logUniformRank(drawSql: string, count: number): string {
  return `least(${count}, floor(exp(${drawSql} * ln(${count + 1}))))::bigint`;
}

export function orderWindow(days: number, endDate?: Date): { start: Date; end: Date } {
  const now = endDate ?? new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - days * 86_400_000);
  return { start, end };
}

/** Indexes that make bulk inserts slow; dropped before the load and rebuilt after. */
const SOURCE_INDEXES = [
  { name: 'orders_created_at_idx', create: 'CREATE INDEX orders_created_at_idx ON shop.orders USING btree (created_at)' },
  { name: 'orders_customer_created_idx', create: 'CREATE INDEX orders_customer_created_idx ON shop.orders USING btree (customer_id, created_at)' },
  { name: 'order_items_order_id_idx', create: 'CREATE INDEX order_items_order_id_idx ON shop.order_items USING btree (order_id)' },
];

function customersSql(options: GeneratorOptions, windowStart: Date): string {
  const { seed, customers } = options;
  const first = `(${textArray(FIRST_NAMES)})[1 + floor(${uniform(seed, 'id', 20)} * ${FIRST_NAMES.length})::int]`;
  const last = `(${textArray(LAST_NAMES)})[1 + floor(${uniform(seed, 'id', 21)} * ${LAST_NAMES.length})::int]`;
  const country = `(${textArray(COUNTRIES)})[1 + floor(${uniform(seed, 'id', 22)} * ${COUNTRIES.length})::int]`;
  // Ids follow sign-up order over the three years before the order window, so the heavy buyers
  // (low ranks, low ids) are the long-standing customers.
  return `
    INSERT INTO demo.crm_users (user_id, email, name, country, created_at)
    SELECT id, lower(first) || '.' || lower(last) || id || '@example.com', first || ' ' || last, country,
           ${text(windowStart.toISOString())}::timestamptz
             - interval '1095 days' * ((${customers} - id + ${uniform(seed, 'id', 23)}) / ${customers}::float8)
    FROM (SELECT id, ${first} AS first, ${last} AS last, ${country} AS country
          FROM generate_series(1, ${customers}) AS id) AS people`;
}

function productsSql(options: GeneratorOptions): string {
  const { seed, products } = options;
  const nouns = `ARRAY[${CATEGORIES.map((category) => textArray(category.nouns)).join(',')}]`;
  const categoryIndex = `1 + floor(${uniform(seed, 'id', 30)} * ${CATEGORIES.length})::int`;
  const nounIndex = `1 + floor(${uniform(seed, 'id', 31)} * ${CATEGORIES[0]?.nouns.length ?? 1})::int`;
  const adjective = `(${textArray(ADJECTIVES)})[1 + floor(${uniform(seed, 'id', 32)} * ${ADJECTIVES.length})::int]`;
  const stockDraw = uniform(seed, 'id', 33);
  const stockSize = uniform(seed, 'id', 34);
  return `
    INSERT INTO demo.inventory_products (product_id, sku, name, category, price, stock_on_hand)
    SELECT id,
           upper(left(regexp_replace(category, '[^A-Za-z]', '', 'g'), 3)) || '-' || lpad(id::text, 6, '0'),
           adjective || ' ' || (${nouns})[category_index][noun_index],
           category,
           ${productPrice(seed, 'id')},
           CASE WHEN ${stockDraw} < 0.06 THEN 0
                WHEN ${stockDraw} < 0.15 THEN 1 + floor(${stockSize} * 5)::int
                ELSE 10 + floor(${stockSize} * 490)::int END
    FROM (SELECT id, category_index, noun_index, adjective, (${textArray(CATEGORIES.map((category) => category.name))})[category_index] AS category
          FROM (SELECT id, ${categoryIndex} AS category_index, ${nounIndex} AS noun_index, ${adjective} AS adjective
                FROM generate_series(1, ${products}) AS id) AS drawn) AS named`;
}

/**
 * One chunk of orders [$1, $2] with their items, in one statement: the `lines` CTE is computed once
 * and feeds both the item insert and the order totals, so total_amount = Σ quantity × price exactly.
 */
function ordersChunkSql(options: GeneratorOptions, windowStart: Date): string {
  const { seed, customers, products, orders, days } = options;
  const unknownSpan = Math.max(1, Math.floor(customers * 0.05));
  const lineKey = 'o.id * 8 + n';
  const quantityDraw = uniform(seed, lineKey, 16);
  // Stepping by a prime from a popularity-skewed start keeps an order's lines on distinct products.
  const productId = `((${logUniformRank('o.u_product', products)} - 1 + n * 7919) % ${products}) + 1`;
  return `
    WITH o AS (
      SELECT id,
             ${uniform(seed, 'id', 10)} AS u_customer,
             ${uniform(seed, 'id', 11)} AS u_unknown,
             ${uniform(seed, 'id', 12)} AS u_time,
             ${uniform(seed, 'id', 13)} AS u_status,
             ${uniform(seed, 'id', 14)} AS u_lines,
             ${uniform(seed, 'id', 15)} AS u_product
      FROM generate_series($1::bigint, $2::bigint) AS id
    ), lines AS MATERIALIZED (
      SELECT o.id AS order_id, line.product_id,
             CASE WHEN ${quantityDraw} < 0.7 THEN 1 WHEN ${quantityDraw} < 0.9 THEN 2
                  ELSE 3 + floor(${quantityDraw} * 100)::int % 2 END AS quantity,
             ${productPrice(seed, 'line.product_id')} AS price
      FROM o
      CROSS JOIN LATERAL generate_series(1, CASE WHEN o.u_lines < 0.35 THEN 1 WHEN o.u_lines < 0.63 THEN 2
                                                 WHEN o.u_lines < 0.81 THEN 3 WHEN o.u_lines < 0.92 THEN 4 ELSE 5 END) AS n
      CROSS JOIN LATERAL (SELECT ${productId} AS product_id) AS line
    ), items AS (
      INSERT INTO shop.order_items (order_id, product_id, quantity, price)
      SELECT order_id, product_id, quantity, price FROM lines
    )
    INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at)
    SELECT o.id,
           CASE WHEN o.u_unknown < ${UNKNOWN_CUSTOMER_SHARE}
                THEN ${customers + 1} + floor(o.u_customer * ${unknownSpan})::bigint
                ELSE ${logUniformRank('o.u_customer', customers)} END,
           totals.total,
           CASE WHEN o.u_status < 0.03 THEN 'cancelled' WHEN o.u_status < 0.05 THEN 'refunded'
                WHEN o.u_status < 0.08 THEN 'pending' ELSE 'completed' END,
           to_timestamp(${windowStart.getTime() / 1000} + ((o.id - 1 + o.u_time) / ${orders}::float8) * ${days * 86_400})
    FROM o
    JOIN (SELECT order_id, sum(quantity * price) AS total FROM lines GROUP BY order_id) AS totals ON totals.order_id = o.id`;
}

async function runChunks(pool: pg.Pool, sql: string, total: number, onChunk: (done: number) => void): Promise<void> {
  const chunks: Array<[number, number]> = [];
  for (let first = 1; first <= total; first += ORDER_CHUNK) chunks.push([first, Math.min(total, first + ORDER_CHUNK - 1)]);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      if (!chunk) return;
      await pool.query(sql, chunk);
      done += chunk[1] - chunk[0] + 1;
      onChunk(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOAD_CONNECTIONS, chunks.length) }, worker));
}

/**
 * Replaces the demo data with a freshly generated set. Not atomic across the load (chunks run on
 * two connections to use both cores); a failed run leaves partial data and is fixed by running again.
 */
export async function generateDemoData(
  targets: GeneratorTargets,
  options: GeneratorOptions,
  onProgress: (progress: GeneratorProgress) => void = () => {},
): Promise<GeneratorResult> {
  const started = performance.now();
  const { start, end } = orderWindow(options.days, options.endDate);

  onProgress({ phase: 'prepare' });
  await targets.app.query('TRUNCATE demo.crm_users, demo.inventory_products');
  await targets.source.query('TRUNCATE shop.order_items, shop.orders RESTART IDENTITY');
  for (const index of SOURCE_INDEXES) await targets.source.query(`DROP INDEX IF EXISTS shop.${index.name}`);

  onProgress({ phase: 'customers' });
  await targets.app.query(customersSql(options, start));
  onProgress({ phase: 'products' });
  await targets.app.query(productsSql(options));

  onProgress({ phase: 'orders', ordersDone: 0, ordersTotal: options.orders });
  await runChunks(targets.source, ordersChunkSql(options, start), options.orders, (done) =>
    onProgress({ phase: 'orders', ordersDone: done, ordersTotal: options.orders }),
  );

  onProgress({ phase: 'indexes' });
  await Promise.all(SOURCE_INDEXES.map((index) => targets.source.query(index.create)));
  await targets.source.query(
    `SELECT setval(pg_get_serial_sequence('shop.orders', 'id'), greatest((SELECT max(id) FROM shop.orders), 1))`,
  );

  onProgress({ phase: 'analyze' });
  await targets.source.query('ANALYZE shop.orders, shop.order_items');
  await targets.app.query('ANALYZE demo.crm_users, demo.inventory_products');

  const items = await targets.source.query<{ count: number }>('SELECT count(*)::int AS count FROM shop.order_items');
  onProgress({ phase: 'done' });
  return {
    customers: options.customers,
    products: options.products,
    orders: options.orders,
    orderItems: items.rows[0]?.count ?? 0,
    windowStart: start,
    windowEnd: end,
    elapsedMs: Math.round(performance.now() - started),
  };
}
