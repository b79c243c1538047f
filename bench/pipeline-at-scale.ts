/**
 * Pipeline at scale: generate N orders over D days, run customer_analytics over the whole window in a standalone
 * worker process (sampling its peak RSS from /proc), and time the bare-SQL lower bound — the fewest statements that
 * compute the same customer and product metrics straight from the source tables — checking both give the same rows.
 *
 *   npx tsx bench/pipeline-at-scale.ts --orders 1000000 --days 90 [--customers 100000] [--products 5000]
 *
 * Runs on its own embedded PostgreSQL in a temporary folder (durable settings, as `npm start`), so it needs no
 * set-up and touches nothing else. Writes bench/results/pipeline-<orders>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createPool } from '../db/client';
import { startEmbeddedPostgres, freePort } from '../db/embedded';
import { generateDemoData } from '../db/generator/generate';
import { runMigrations } from '../db/migrate';
import { serveRoutes } from '../tests/setup/http';

const args = z
  .object({
    orders: z.coerce.number().int().min(1000).default(1_000_000),
    days: z.coerce.number().int().min(1).max(366).default(90),
    customers: z.coerce.number().int().min(10).default(100_000),
    products: z.coerce.number().int().min(10).default(5_000),
    seed: z.coerce.number().int().default(42),
  })
  .parse(
    parseArgs({
      options: { orders: { type: 'string' }, days: { type: 'string' }, customers: { type: 'string' }, products: { type: 'string' }, seed: { type: 'string' } },
    }).values,
  );


/** VmHWM: the process's peak resident set size, in MB, as the kernel counts it. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

const dataDir = path.join(os.tmpdir(), `nightshift-bench-${process.pid}`);
mkdirSync(dataDir, { recursive: true, mode: 0o755 });
const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), durable: true, database: 'bench' });
const log = (message: string) => console.log(`[bench] ${message}`);
try {
  await runMigrations(server.url);
  const db = createPool(server.url, { max: 4 });
  const endDate = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  log(`generating ${args.orders} orders over ${args.days} days…`);
  const generated = await generateDemoData({ app: db.pool, source: db.pool }, { ...args, endDate });
  log(`generated ${generated.orders} orders, ${generated.orderItems} items in ${(generated.elapsedMs / 1000).toFixed(1)} s`);
  const window = {
    start_date: generated.windowStart.toISOString().slice(0, 10),
    end_date: new Date(generated.windowEnd.getTime() - 1).toISOString().slice(0, 10),
  };

  // The demo CRM / inventory / Slack endpoints, served from this process over real HTTP.
  process.env.DATABASE_URL = server.url;
  const demo = await serveRoutes({
    '/demo/crm/users': await import('../app/demo/crm/users/route'),
    '/demo/inventory/products': await import('../app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('../app/demo/slack/webhook/route'),
  });

  const worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: server.url,
      CRM_URL: `${demo.url}/demo/crm`,
      INVENTORY_URL: `${demo.url}/demo/inventory`,
      SLACK_WEBHOOK_URL: `${demo.url}/demo/slack/webhook`,
      WORKER_CONCURRENCY: '4',
      WORKER_POLL_MS: '200',
      LOG_LEVEL: 'warn',
    },
  });
  const workerPid = worker.pid;
  if (!workerPid) throw new Error('worker did not start');

  const { launchTask } = await import('../lib/engine');
  const { buildRegistry } = await import('../lib/runtime/registry');
  const { CUSTOMER_ANALYTICS } = await import('../lib/pipelines/customer-analytics');
  const rssAtStart = peakRssMb(workerPid);
  const { taskId } = await launchTask(db, buildRegistry(), { ...CUSTOMER_ANALYTICS, context: { date_range: window }, initiator: 'bench' });
  log(`task ${taskId} launched for ${window.start_date} … ${window.end_date}`);
  let status = 'pending';
  while (!['completed', 'failed', 'cancelled'].includes(status)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = (await db.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId])).rows[0]?.status ?? 'missing';
  }
  const peakRss = peakRssMb(workerPid);
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await demo.close();
  if (status !== 'completed') throw new Error(`the run ended ${status}`);

  const timing = await db.pool.query<{ name: string; seconds: number; attempts: number }>(
    `SELECT name, extract(epoch FROM completed_at - started_at)::float8 AS seconds, attempt_count AS attempts
     FROM steps WHERE task_id = $1 ORDER BY position`,
    [taskId],
  );
  const total = (await db.pool.query<{ seconds: number }>(
    `SELECT extract(epoch FROM completed_at - started_at)::float8 AS seconds FROM tasks WHERE id = $1`, [taskId],
  )).rows[0]?.seconds ?? NaN;

  // The bare-SQL bound: one statement per table, straight from the sources, same formulas.
  const boundStarted = performance.now();
  await db.pool.query(`CREATE TABLE bound_customers AS
    WITH per AS (
      SELECT customer_id, sum(total_amount) AS total, count(*)::int AS n,
             min((created_at AT TIME ZONE 'UTC')::date) AS first_day, max((created_at AT TIME ZONE 'UTC')::date) AS last_day
      FROM shop.orders WHERE created_at >= $1 AND created_at < $2 GROUP BY customer_id)
    SELECT per.customer_id, u.email AS customer_email, per.total AS total_lifetime_value, round(per.total / per.n, 2) AS average_order_value,
           per.n AS total_orders,
           CASE WHEN per.n < 2 OR per.last_day - per.first_day <= 0 THEN 0 ELSE (per.n - 1) / ((per.last_day - per.first_day) / 30.0)::float8 END AS order_frequency,
           $3::date - per.last_day AS days_since_last_order,
           CASE WHEN per.total >= 1000 AND per.n >= 10 THEN 'VIP' WHEN per.total >= 500 OR per.n >= 5 THEN 'Regular'
                WHEN per.total >= 100 OR per.n >= 2 THEN 'Occasional' ELSE 'New' END AS customer_segment
    FROM per JOIN demo.crm_users u ON u.user_id = per.customer_id`, [generated.windowStart, generated.windowEnd, window.end_date]);
  await db.pool.query(`CREATE TABLE bound_products AS
    WITH sales AS (
      SELECT i.product_id, sum(i.quantity)::int AS units_sold, sum(i.quantity * i.price) AS revenue,
             count(DISTINCT i.order_id)::int AS orders_count, count(DISTINCT o.customer_id)::int AS unique_customers
      FROM shop.order_items i JOIN shop.orders o ON o.id = i.order_id
      WHERE o.created_at >= $1 AND o.created_at < $2 GROUP BY i.product_id)
    SELECT s.product_id, s.units_sold, s.revenue, s.orders_count, s.unique_customers, round(s.revenue / NULLIF(s.units_sold, 0), 2) AS average_selling_price,
           p.stock_on_hand, CASE WHEN s.units_sold > 0 AND p.stock_on_hand IS NOT NULL THEN p.stock_on_hand / (s.units_sold::float8 / $3) END AS days_of_cover
    FROM sales s LEFT JOIN demo.inventory_products p ON p.product_id = s.product_id`, [generated.windowStart, generated.windowEnd, args.days]);
  const boundSeconds = (performance.now() - boundStarted) / 1000;

  const differences = (await db.pool.query<{ customers: number; products: number }>(`SELECT
      (SELECT count(*) FROM ((SELECT customer_id, customer_email, total_lifetime_value, average_order_value, total_orders, order_frequency, days_since_last_order, customer_segment
                              FROM analytics.customer_metrics WHERE task_id = $1
                              EXCEPT SELECT * FROM bound_customers)
                             UNION ALL (SELECT * FROM bound_customers EXCEPT
                              SELECT customer_id, customer_email, total_lifetime_value, average_order_value, total_orders, order_frequency, days_since_last_order, customer_segment
                              FROM analytics.customer_metrics WHERE task_id = $1)) d)::int AS customers,
      (SELECT count(*) FROM ((SELECT product_id, units_sold, revenue, orders_count, unique_customers, average_selling_price, stock_on_hand, days_of_cover
                              FROM analytics.product_metrics WHERE task_id = $1
                              EXCEPT SELECT * FROM bound_products)
                             UNION ALL (SELECT * FROM bound_products EXCEPT
                              SELECT product_id, units_sold, revenue, orders_count, unique_customers, average_selling_price, stock_on_hand, days_of_cover
                              FROM analytics.product_metrics WHERE task_id = $1)) d)::int AS products`, [taskId])).rows[0];
  const rows = (await db.pool.query<{ customers: number; products: number }>(
    `SELECT (SELECT count(*)::int FROM bound_customers) AS customers, (SELECT count(*)::int FROM bound_products) AS products`,
  )).rows[0];
  await db.close();

  const result = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
    input: { ...args, items: generated.orderItems, window },
    steps: timing.rows.map((row) => ({ name: row.name, seconds: Math.round(row.seconds * 100) / 100, attempts: row.attempts })),
    pipelineSeconds: Math.round(total * 100) / 100,
    bareSqlSeconds: Math.round(boundSeconds * 100) / 100,
    ratioToBound: Math.round((total / boundSeconds) * 100) / 100,
    workerPeakRssMb: peakRss,
    workerRssBeforeRunMb: rssAtStart,
    rowsCompared: rows,
    rowsDiffering: differences,
  };
  console.table(result.steps);
  console.log(JSON.stringify({ ...result, steps: undefined }, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/pipeline-${args.orders}.json`, `${JSON.stringify(result, null, 2)}\n`);
  if (differences && (differences.customers > 0 || differences.products > 0)) {
    throw new Error(`the pipeline's rows differ from the bare-SQL rows: ${JSON.stringify(differences)}`);
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
