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
 * Shape of the data (what the customer-analytics pipeline and its executive summary need to be interesting; the
 * README's "Demo data" section says the same for users):
 * - orders per day follow a weight: linear growth (the last day sells GROWTH_OVER_WINDOW more than the first), a
 *   weekly pattern (WEEKDAY_FACTORS: quieter weekends), DAILY_NOISE_SD of day-to-day variation and the injected
 *   anomalous days of DEMO_ANOMALIES; each day's order count is its share of the total, ids in time order;
 * - customers join over time (PREEXISTING_CUSTOMER_SHARE before the window, the rest in id order across it) and
 *   each order picks among those who have joined by its day, by one of three habits: a loyal base (every
 *   LOYAL_EVERY-th id, the oldest ordering most) who become and stay regulars; newcomers, who order often while
 *   they are among the NEWCOMER_DAYS latest to join and then lapse; and occasional buyers, uniform over everyone;
 * - ~3% of orders come from customer ids beyond the CRM's range (the CRM does not know them);
 * - 1–5 lines per order, product popularity skewed (P(rank k) ∝ 1/k), prices log-uniform 2–600; products launch
 *   over time (PREEXISTING_PRODUCT_SHARE sell from the first day, the rest join in id order), a product never
 *   sells before its launch day;
 * - some products have no stock or only a handful left;
 * - the `days` whole UTC days end yesterday.
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
  customers: 20_000,
  products: 300,
  // 14 months: a year of history for churn and lapsing, plus the 8 weeks of same weekdays an anomaly needs.
  days: 420,
  orders: 120_000,
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

/** An injected anomalous day: its date (UTC) and how many times a normal day's orders it has. */
export interface InjectedAnomaly {
  day: string;
  factor: number;
  description: string;
}

export interface GeneratorResult {
  /** The injected anomalous days inside the window, oldest first. */
  anomalies: InjectedAnomaly[];
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

/**
 * The last day's weight over the first day's, before the weekly pattern and noise: +50% over the window. Steeper
 * growth would bias every day above the median of its previous 8 weeks and read as anomalies.
 */
const GROWTH_OVER_WINDOW = 0.5;
/** Relative order volume by ISO weekday (1 = Monday … 7 = Sunday). Weekends stay above half of a weekday, so a
 * one-day run on a Sunday is not a volume drop for the data-quality gate (lib/monitoring/volume-guard.ts). */
const WEEKDAY_FACTORS = [1.0, 1.04, 1.0, 1.06, 1.12, 0.8, 0.75] as const;
/**
 * Day-to-day variation: the sum of three uniform draws, nearly normal with a standard deviation of 6%. Normal-shaped
 * noise is what the anomaly rule's 3 × 1.4826 MAD band assumes (uniform noise of the same width makes the MAD of 8
 * weekdays erratic and flags ordinary days), and the injected days stay far outside it.
 */
const DAILY_NOISE_SD = 0.06;
/**
 * Days made abnormal on purpose, counted back from the window's end (1 = yesterday), each a factor on that day's
 * orders. None falls on yesterday or on a day the e2e specs run alone: a drop below half of the usual count there
 * would hold the run's snapshot for review as a volume drop.
 */
export const DEMO_ANOMALIES: ReadonlyArray<{ daysBeforeEnd: number; factor: number; description: string }> = [
  { daysBeforeEnd: 330, factor: 0.45, description: 'payment provider outage: orders −55%' },
  { daysBeforeEnd: 190, factor: 2.0, description: 'summer sale: orders ×2' },
  { daysBeforeEnd: 75, factor: 0.4, description: 'site down most of the day: orders −60%' },
  { daysBeforeEnd: 23, factor: 2.2, description: 'flash sale: orders ×2.2' },
  { daysBeforeEnd: 9, factor: 0.45, description: 'checkout bug: orders −55%' },
];
/** Customers signed up before the window; the others join across it in id order. */
const PREEXISTING_CUSTOMER_SHARE = 0.35;
/** Products on sale from the first day; the others launch across the window in id order. */
const PREEXISTING_PRODUCT_SHARE = 0.7;
/** Every LOYAL_EVERY-th customer id is one of the loyal base. */
const LOYAL_EVERY = 5;
/** A newcomer orders often while among the customers who joined in the last this-many days, then lapses. */
const NEWCOMER_DAYS = 60;
/** Shares of the known customers' orders by habit (the rest are occasional buyers). */
const LOYAL_SHARE = 0.4;
const NEWCOMER_SHARE = 0.32;

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

/**
 * A rank in 1..count drawn with P(k) ∝ 1/(k + offset): heavy head, long tail; the offset flattens the head so the
 * top rank does not take a tenth of all draws. `countSql` may vary per row (the customers who have joined by a day).
 */
function skewedRank(drawSql: string, countSql: string, offset = 0): string {
  const low = `ln(${offset + 1}::float8)`;
  const high = `ln((${countSql}) + ${offset + 1}::float8)`;
  return `greatest(1, least((${countSql})::bigint, floor(exp(${low} + ${drawSql} * (${high} - ${low})))::bigint - ${offset}))`;
}

/** How many of `total` (customers or products) exist before the window; the rest join one by one across it. */
const preexisting = (total: number, share: number, floor: number) => Math.min(total, Math.max(floor, Math.round(total * share)));

/** The injected anomalies inside a window of `days` days starting at `start`, oldest first. */
export function injectedAnomalies(days: number, start: Date): Array<InjectedAnomaly & { dayIndex: number }> {
  return DEMO_ANOMALIES.filter((anomaly) => anomaly.daysBeforeEnd <= days).map((anomaly) => {
    const dayIndex = days - anomaly.daysBeforeEnd;
    return {
      dayIndex,
      day: new Date(start.getTime() + dayIndex * 86_400_000).toISOString().slice(0, 10),
      factor: anomaly.factor,
      description: anomaly.description,
    };
  });
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
  const { seed, customers, days } = options;
  const before = preexisting(customers, PREEXISTING_CUSTOMER_SHARE, 1);
  const joining = Math.max(1, customers - before);
  const first = `(${textArray(FIRST_NAMES)})[1 + floor(${uniform(seed, 'id', 20)} * ${FIRST_NAMES.length})::int]`;
  const last = `(${textArray(LAST_NAMES)})[1 + floor(${uniform(seed, 'id', 21)} * ${LAST_NAMES.length})::int]`;
  const country = `(${textArray(COUNTRIES)})[1 + floor(${uniform(seed, 'id', 22)} * ${COUNTRIES.length})::int]`;
  // Ids follow sign-up order: the first ones over the three years before the window (the loyal base's heaviest
  // buyers are the longest-standing), the rest across the window, each up to two days before the first day the
  // order draw may pick them (JOINED_BY in ordersChunkSql) so no one orders before signing up.
  const firstOrderDay = `(ceil(((id - ${before}) * ${days})::numeric / ${joining}) - 1)`;
  return `
    INSERT INTO demo.crm_users (user_id, email, name, country, created_at)
    SELECT id, lower(first) || '.' || lower(last) || id || '@example.com', first || ' ' || last, country,
           CASE WHEN id <= ${before}
                THEN ${text(windowStart.toISOString())}::timestamptz
                       - interval '1095 days' * ((${before} - id + ${uniform(seed, 'id', 23)}) / ${before}::float8)
                ELSE ${text(windowStart.toISOString())}::timestamptz
                       + interval '1 day' * ${firstOrderDay} - interval '2 days' * ${uniform(seed, 'id', 23)} END
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
 * One chunk of orders [$1, $2] with their items, in one statement. The `days` CTE (one row per day, a few hundred)
 * gives each day its weight and, by a running sum, its range of order ids; `o` expands only the days that overlap
 * the chunk, so a chunk never scans the whole window. The `lines` CTE is computed once and feeds both the item
 * insert and the order totals, so total_amount = Σ quantity × price exactly.
 */
function ordersChunkSql(options: GeneratorOptions, windowStart: Date): string {
  const { seed, customers, products, orders, days } = options;
  const unknownSpan = Math.max(1, Math.floor(customers * 0.05));
  const customersBefore = preexisting(customers, PREEXISTING_CUSTOMER_SHARE, 1);
  const productsBefore = preexisting(products, PREEXISTING_PRODUCT_SHARE, Math.min(products, 5));
  const anomalyFactor = injectedAnomalies(days, windowStart)
    .map((anomaly) => `WHEN ${anomaly.dayIndex} THEN ${anomaly.factor}`)
    .join(' ');
  const weekday = `(ARRAY[${WEEKDAY_FACTORS.join(',')}]::float8[])[extract(isodow FROM ${text(windowStart.toISOString().slice(0, 10))}::date + d)::int]`;
  const growth = days > 1 ? `(1 + ${GROWTH_OVER_WINDOW} * d / ${days - 1}::float8)` : '1';
  // Three uniforms sum to variance 3/12 = 1/4, so twice the SD scales their centred sum to a standard deviation of SD.
  const noise = `(1 + ${2 * DAILY_NOISE_SD} * (${uniform(seed, 'd', 40)} + ${uniform(seed, 'd', 41)} + ${uniform(seed, 'd', 42)} - 1.5))`;
  const newcomerPool = Math.max(1, Math.round(((customers - customersBefore) * NEWCOMER_DAYS) / days));
  const lineKey = 'o.id * 8 + n';
  const quantityDraw = uniform(seed, lineKey, 16);
  // The first line is a popularity-skewed draw among the products launched by the order's day. The others step from
  // it by a prime over all products (fewer than 7919 of them, so (n − 1) × 7919 differs modulo their count for
  // n = 1..5: distinct products), and a line whose product has not launched yet is left out. Stepping over all
  // products rather than the launched ones keeps a popular product's companions the same every day; modulo the
  // day's launched count they changed with it, and so did the price of a large share of the lines — daily revenue
  // then swung ±25% on steady order counts.
  const productId = `CASE WHEN n = 1 THEN o.first_product ELSE ((o.first_product - 1 + (n - 1) * 7919) % ${products}) + 1 END`;
  const loyal = `${LOYAL_EVERY} * ${skewedRank('o.u_customer', `greatest(1, o.joined / ${LOYAL_EVERY})`, 50)}`;
  const newcomer = `o.joined + 1 - ${skewedRank('o.u_customer', `least(o.joined, ${newcomerPool})`, Math.max(1, Math.round(newcomerPool / 10)))}`;
  const occasional = `1 + floor(o.u_customer * o.joined)::bigint`;
  return `
    WITH weights AS (
      SELECT d, ${growth} * ${weekday} * ${noise} * CASE d ${anomalyFactor || 'WHEN -1 THEN 1'} ELSE 1 END AS weight
      FROM generate_series(0, ${days - 1}) AS d
    ), days AS (
      SELECT d,
             coalesce(lag(last_id) OVER (ORDER BY d), 0) AS first_id, last_id,
             -- JOINED_BY: customers (and products) in id order, the pre-existing ones plus those joined by day d.
             ${customersBefore} + floor(${customers - customersBefore}::bigint * (d + 1) / ${days})::bigint AS joined,
             ${productsBefore} + floor(${products - productsBefore}::bigint * (d + 1) / ${days})::bigint AS products_on_sale
      FROM (SELECT d, CASE WHEN d = ${days - 1} THEN ${orders}
                           ELSE round(${orders} * sum(weight) OVER (ORDER BY d) / sum(weight) OVER ())::bigint END AS last_id
            FROM weights) AS bounds
    ), o AS (
      SELECT id, days.d, days.first_id, days.last_id, days.joined, days.products_on_sale,
             ${uniform(seed, 'id', 10)} AS u_customer,
             ${uniform(seed, 'id', 11)} AS u_unknown,
             ${uniform(seed, 'id', 12)} AS u_time,
             ${uniform(seed, 'id', 13)} AS u_status,
             ${uniform(seed, 'id', 14)} AS u_lines,
             ${skewedRank(uniform(seed, 'id', 15), 'days.products_on_sale')} AS first_product,
             ${uniform(seed, 'id', 17)} AS u_habit
      FROM days
      CROSS JOIN LATERAL generate_series(greatest(days.first_id + 1, $1::bigint), least(days.last_id, $2::bigint)) AS id
      WHERE days.last_id >= $1::bigint AND days.first_id < $2::bigint
    ), lines AS MATERIALIZED (
      SELECT o.id AS order_id, line.product_id,
             CASE WHEN ${quantityDraw} < 0.7 THEN 1 WHEN ${quantityDraw} < 0.9 THEN 2
                  ELSE 3 + floor(${quantityDraw} * 100)::int % 2 END AS quantity,
             ${productPrice(seed, 'line.product_id')} AS price
      FROM o
      CROSS JOIN LATERAL generate_series(1, CASE WHEN o.u_lines < 0.35 THEN 1 WHEN o.u_lines < 0.63 THEN 2
                                                 WHEN o.u_lines < 0.81 THEN 3 WHEN o.u_lines < 0.92 THEN 4 ELSE 5 END) AS n
      CROSS JOIN LATERAL (SELECT ${productId} AS product_id) AS line
      WHERE line.product_id <= o.products_on_sale
    ), items AS (
      INSERT INTO shop.order_items (order_id, product_id, quantity, price)
      SELECT order_id, product_id, quantity, price FROM lines
    )
    INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at)
    SELECT o.id,
           CASE WHEN o.u_unknown < ${UNKNOWN_CUSTOMER_SHARE} THEN ${customers + 1} + floor(o.u_customer * ${unknownSpan})::bigint
                WHEN o.u_habit < ${LOYAL_SHARE} THEN least(o.joined, ${loyal})
                WHEN o.u_habit < ${LOYAL_SHARE + NEWCOMER_SHARE} THEN ${newcomer}
                ELSE ${occasional} END,
           totals.total,
           CASE WHEN o.u_status < 0.03 THEN 'cancelled' WHEN o.u_status < 0.05 THEN 'refunded'
                WHEN o.u_status < 0.08 THEN 'pending' ELSE 'completed' END,
           to_timestamp(${windowStart.getTime() / 1000} + o.d * 86400
                        + ((o.id - o.first_id - 1 + o.u_time) / (o.last_id - o.first_id)::float8) * 86400)
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
    anomalies: injectedAnomalies(options.days, start).map(({ day, factor, description }) => ({ day, factor, description })),
    customers: options.customers,
    products: options.products,
    orders: options.orders,
    orderItems: items.rows[0]?.count ?? 0,
    windowStart: start,
    windowEnd: end,
    elapsedMs: Math.round(performance.now() - started),
  };
}
