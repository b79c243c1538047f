/**
 * Benchmark 3 — pipeline at scale: generate N orders over D days, run customer_analytics over the whole window in a
 * standalone worker process (scripts/worker.ts, sampling its RSS from /proc), and time the bare-SQL lower bound —
 * the fewest statements that compute the same customer and product metrics straight from the source tables —
 * checking both give the same rows. The runner gives it a fresh database and keeps it for the dashboard benchmark.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPool } from '@/db/client';
import { generateDemoData } from '@/lib/demo/generator/generate';
import { runMigrations } from '@/db/migrate';
import { launchTask } from '@/lib/engine';
import { CUSTOMER_ANALYTICS } from '@/lib/pipelines/customer-analytics';
import { buildRegistry } from '@/lib/runtime/registry';
import { onInterrupt } from './support/cleanup';
import { currentRssMb, peakRssMb } from './support/processes';
import { check, round, type BenchmarkReport } from './support/report';

export interface PipelineAtScaleOptions {
  url: string;
  orders: number;
  days: number;
  customers: number;
  products: number;
  seed: number;
  /**
   * Put the orders in a second database on the same server and point the worker's SOURCE_DATABASE_URL at it, so
   * the extract copies the window (the path a separate orders database takes). The app database gets the same
   * generated orders too (same seed, same rows): the bare-SQL bound runs there.
   */
  separateOrdersDatabase?: boolean;
}

export interface PipelineAtScaleResult {
  report: BenchmarkReport;
  taskId: string;
  customers: number;
  products: number;
  windowEnd: string;
  pipelineSeconds: number;
  workerPeakRssMb: number;
}

const RSS_SAMPLE_MS = 500;

/** Starts the demo CRM / inventory / Slack endpoints in a child process on this run's database; resolves with its URL. */
export function startDemoSources(url: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'workers', 'demo-sources.ts')], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = onInterrupt(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  void exited.then(forget);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\S+)/.exec(output);
      if (match?.[1]) {
        resolve({
          url: match[1],
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(() => reject(new Error(`the demo sources process exited before listening:\n${output}`)));
  });
}

/** A second database on the same server for the orders, migrated like the app's (the README's contract). */
async function createOrdersDatabase(url: string): Promise<string> {
  const admin = createPool(url, { max: 1, applicationName: 'nightshift-bench' });
  try {
    await admin.pool.query('DROP DATABASE IF EXISTS orders');
    await admin.pool.query('CREATE DATABASE orders');
  } finally {
    await admin.close();
  }
  const ordersUrl = new URL(url);
  ordersUrl.pathname = '/orders';
  await runMigrations(ordersUrl.toString());
  return ordersUrl.toString();
}

/** The standalone worker (`npm run worker`) with the demo sources as its CRM, inventory and Slack. */
export function spawnPipelineWorker(url: string, demoUrl: string, ordersUrl: string | undefined, extraEnv: Record<string, string> = {}) {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: url,
      CRM_URL: `${demoUrl}/demo/crm`,
      INVENTORY_URL: `${demoUrl}/demo/inventory`,
      SLACK_WEBHOOK_URL: `${demoUrl}/demo/slack/webhook`,
      ...(ordersUrl ? { SOURCE_DATABASE_URL: ordersUrl } : {}),
      WORKER_CONCURRENCY: '4',
      WORKER_POLL_MS: '200',
      // The scheduler would add catch-up runs of the same pipeline to the measurement.
      SCHEDULER_ENABLED: '0',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
  });
  const pid = worker.pid;
  if (!pid) throw new Error('worker did not start');
  let running = true;
  const exited = new Promise((resolve) => worker.once('exit', resolve)).finally(() => (running = false));
  const forget = onInterrupt(async () => {
    worker.kill('SIGKILL');
    await exited;
  });
  void exited.then(forget);
  return {
    pid,
    isRunning: () => running,
    /** A crash: no shutdown, its attempts stay claimed until their leases expire. */
    async kill() {
      worker.kill('SIGKILL');
      await exited;
    },
    async stop() {
      worker.kill('SIGTERM');
      await exited;
    },
  };
}

export async function runPipelineAtScale(options: PipelineAtScaleOptions): Promise<PipelineAtScaleResult> {
  const log = (message: string) => console.log(`[bench] ${message}`);
  const db = createPool(options.url, { max: 4, applicationName: 'nightshift-bench' });
  // The demo sources and the worker start while the data is generated: their start-up is not part of the pipeline's
  // time either way (that runs from the first claim), so this only saves wall time.
  const ordersUrl = options.separateOrdersDatabase ? await createOrdersDatabase(options.url) : undefined;
  const processes = startDemoSources(options.url).then((demo) => ({ demo, worker: spawnPipelineWorker(options.url, demo.url, ordersUrl) }));
  processes.catch(() => undefined);
  try {
    const endDate = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    const { separateOrdersDatabase: _separate, ...args } = options;
    log(`generating ${args.orders} orders over ${args.days} days…`);
    const generated = await generateDemoData({ app: db.pool, source: db.pool }, { ...args, endDate });
    if (ordersUrl) {
      const orders = createPool(ordersUrl, { max: 2, applicationName: 'nightshift-bench' });
      try {
        const copy = await generateDemoData({ app: orders.pool, source: orders.pool }, { ...args, endDate });
        check(copy.orders === generated.orders && copy.orderItems === generated.orderItems, 'the orders database got other data than the app database');
        log(`generated the same ${copy.orders} orders in the orders database (${(copy.elapsedMs / 1000).toFixed(1)} s)`);
      } finally {
        await orders.close();
      }
    }
    log(`generated ${generated.orders} orders, ${generated.orderItems} items in ${(generated.elapsedMs / 1000).toFixed(1)} s`);
    const window = {
      start_date: generated.windowStart.toISOString().slice(0, 10),
      end_date: new Date(generated.windowEnd.getTime() - 1).toISOString().slice(0, 10),
    };

    const { demo, worker } = await processes;
    const workerPid = worker.pid;
    const rssAtStart = peakRssMb(workerPid);
    const rssSamples: { second: number; rssMb: number }[] = [];
    let status = 'pending';
    let taskId = '';
    let peakRss = Number.NaN;
    try {
      ({ taskId } = await launchTask(db, buildRegistry(), { ...CUSTOMER_ANALYTICS, context: { date_range: window }, initiator: 'bench' }));
      log(`task ${taskId} launched for ${window.start_date} … ${window.end_date}`);
      const launched = performance.now();
      while (!['completed', 'failed', 'cancelled'].includes(status)) {
        await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
        check(worker.isRunning(), 'the pipeline worker exited during the run');
        rssSamples.push({ second: round((performance.now() - launched) / 1000, 1), rssMb: currentRssMb(workerPid) });
        status = (await db.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId])).rows[0]?.status ?? 'missing';
      }
      // Read before the worker exits: /proc/<pid> goes with it.
      peakRss = peakRssMb(workerPid);
    } finally {
      await worker.stop();
      await demo.stop();
    }
    check(status === 'completed', `the run ended ${status}`);

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

    const pipelineRows = (await db.pool.query<{ customers: number; products: number }>(
      `SELECT (SELECT count(*)::int FROM analytics.customer_metrics WHERE task_id = $1) AS customers,
              (SELECT count(*)::int FROM analytics.product_metrics WHERE task_id = $1) AS products`,
      [taskId],
    )).rows[0];
    const tasksInDatabase = (await db.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM tasks')).rows[0]?.count;
    check(rows !== undefined && pipelineRows !== undefined && differences !== undefined, 'the row comparison returned nothing');
    check(rows.customers > 0 && rows.products > 0, `the bare-SQL bound found no rows (${JSON.stringify(rows)})`);
    check(pipelineRows.customers === rows.customers && pipelineRows.products === rows.products, `the pipeline wrote ${JSON.stringify(pipelineRows)} rows, the bound ${JSON.stringify(rows)}`);
    check(differences.customers === 0 && differences.products === 0, `the pipeline's rows differ from the bare-SQL rows: ${JSON.stringify(differences)}`);
    check(tasksInDatabase === 1, `${tasksInDatabase} tasks ran; the measurement expects only the benchmark's`);
    check(timing.rows.every((row) => row.attempts === 1), 'a step needed more than one attempt (faults are off, so that is a bug)');

    const steps = timing.rows.map((row) => ({ name: row.name, seconds: round(row.seconds), attempts: row.attempts }));
    const ratio = total / boundSeconds;
    // The executive summary's budget: generate_insights, the step that reads it, adds at most 20% to the rest of
    // the run (a stricter test than the summary's own share, which is the step less its 0.18 s of other insights).
    const insightsSeconds = timing.rows.find((row) => row.name === 'generate_insights')?.seconds ?? Number.NaN;
    const insightsShare = insightsSeconds / (total - insightsSeconds);
    const details = {
      input: { ...args, url: undefined, items: generated.orderItems, window },
      generateSeconds: round(generated.elapsedMs / 1000, 1),
      steps,
      pipelineSeconds: round(total),
      bareSqlSeconds: round(boundSeconds),
      ratioToBound: round(ratio),
      generateInsightsShareOfRest: round(insightsShare, 3),
      workerPeakRssMb: peakRss,
      workerRssBeforeRunMb: rssAtStart,
      workerRssSamples: rssSamples,
      rowsCompared: rows,
      rowsDiffering: differences,
    };
    const label = `${args.orders.toLocaleString('en-US')} orders${ordersUrl ? ' in a second database (SOURCE_DATABASE_URL)' : ''}`;
    return {
      taskId,
      customers: rows.customers,
      products: rows.products,
      windowEnd: window.end_date,
      pipelineSeconds: total,
      workerPeakRssMb: peakRss,
      report: {
        benchmark: `pipeline-${args.orders}${ordersUrl ? '-separate-db' : ''}`,
        rows: [
          { metric: `${label}: customer_analytics total / bare-SQL bound`, value: `${round(total, 1)} s / ${round(boundSeconds, 1)} s = ${round(ratio)}×` },
          { metric: `${label}: steps`, value: steps.map((step) => `${step.name} ${step.seconds} s`).join(', ') },
          { metric: `${label}: generate_insights / the rest of the run`, value: `${round(insightsSeconds)} s / ${round(total - insightsSeconds)} s = ${round(insightsShare * 100, 1)}%` },
          { metric: `${label}: worker peak RSS (VmHWM)`, value: `${peakRss} MB (${rssAtStart} MB before the run)` },
          { metric: `${label}: rows equal to the bound`, value: `${rows.customers} customers, ${rows.products} products, 0 differing` },
        ],
        // The copy from a second database has no goal yet: it is reported to see what copying costs.
        goals: ordersUrl
          ? []
          : [
              { goal: `pipeline ${label}: total ≤ 1.5× bare-SQL bound`, measured: `${round(ratio)}×`, met: ratio <= 1.5 },
              { goal: `pipeline ${label}: worker peak RSS ≤ 256 MB`, measured: `${peakRss} MB`, met: peakRss <= 256 },
              { goal: `pipeline ${label}: generate_insights adds ≤ 20% to the rest of the run`, measured: `${round(insightsShare * 100, 1)}%`, met: insightsShare <= 0.2 },
            ],
        details,
      },
    };
  } finally {
    // Stops the helper processes when something failed before the run (no-ops when they already stopped).
    const started = await processes.catch(() => undefined);
    await started?.worker.stop();
    await started?.demo.stop();
    await db.close();
  }
}
