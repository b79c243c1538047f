/**
 * customer_analytics end to end: the real engine worker, the real demo CRM / inventory / Slack endpoints over
 * HTTP, and the orders in shop.* — with the hand-built fixture and its hand-computed expectations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { executiveSummaryOf } from './results';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { waitFor } from '@/tests/setup/wait';
import { createRegistry, createWorker, getTask, launchTask, rerunFromStep, retryStep, RetryableError, type Worker } from '@/lib/engine';
import { updateChaosSettings, readOrdersDbFailureRate } from '@/lib/demo/chaos';
import { useFaultDice } from '@/lib/demo/fault-injection';
import { maybeTerminateBackend } from '@/lib/demo/orders-db-faults';
import { createCrmClient } from '@/lib/sources/crm-client';
import { createInventoryClient } from '@/lib/sources/inventory-client';
import { createSlackClient, type SlackClient } from '@/lib/sources/slack-client';
import { createCustomerAnalyticsPipeline, CUSTOMER_ANALYTICS } from './definition';
import { copyTables } from './order-copy';
import { windowDays } from './input';
import { buildKpis, readWindowTotals, type Kpis } from './kpis';
import {
  EXPECTED_CUSTOMER_METRICS, EXPECTED_PRODUCT_METRICS, FIXTURE_ORDERS, FIXTURE_PRODUCTS, FIXTURE_USERS, FIXTURE_WINDOW, orderTotal,
} from './fixture.test-data';

let testDb: TestDatabase;
let server: TestServer;
let worker: Worker;
let forgetAppDatabase: () => Promise<void>;
/** Channels whose next post the test makes fail once, as a webhook outage would. */
const failNextPostTo = new Set<string>();
/**
 * Scripted orders-database faults: each extraction batch takes the next rate (1 = the server terminates the
 * connection, for real); when the script is empty the stored chaos setting applies.
 */
const scriptedOrdersFailureRates: number[] = [];
/**
 * `in_database`: the orders are read in place (the default deployment). `copy`: the extract treats the same
 * database as a separate orders database (SOURCE_DATABASE_URL) and copies the window in batches.
 */
let ordersMode: 'in_database' | 'copy' = 'in_database';

async function loadFixtureIntoSources(db: TestDatabase) {
  for (const order of FIXTURE_ORDERS) {
    await db.pool.query(`INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at) VALUES ($1, $2, $3, 'completed', $4)`, [
      order.id, order.customerId, orderTotal(order), order.createdAt,
    ]);
    for (const item of order.items) {
      await db.pool.query(`INSERT INTO shop.order_items (order_id, product_id, quantity, price) VALUES ($1, $2, $3, $4)`, [
        order.id, item.productId, item.quantity, item.price,
      ]);
    }
  }
  for (const user of FIXTURE_USERS) {
    await db.pool.query(`INSERT INTO demo.crm_users (user_id, email, name, country, created_at) VALUES ($1, $2, $3, $4, $5)`, [
      user.user_id, user.email, user.name, user.country, user.created_at,
    ]);
  }
  for (const p of FIXTURE_PRODUCTS) {
    await db.pool.query(
      `INSERT INTO demo.inventory_products (product_id, sku, name, category, price, stock_on_hand) VALUES ($1, $2, $3, $4, $5, $6)`,
      [p.product_id, p.sku, p.name, p.category, p.price, p.stock_on_hand],
    );
  }
}

async function launch(context: Record<string, unknown> = {}) {
  const registry = workerRegistry;
  const { taskId } = await launchTask(testDb, registry, {
    ...CUSTOMER_ANALYTICS,
    context: { date_range: FIXTURE_WINDOW, ...context },
    initiator: 'test',
  });
  return taskId;
}

function waitForStatus(taskId: string, statuses: string[], timeoutMs = 30_000) {
  return waitFor(`task ${taskId} → ${statuses.join('/')}`, async () => {
    const task = await getTask(testDb, taskId);
    return task && statuses.includes(task.status) ? task : undefined;
  }, timeoutMs);
}

/**
 * The latest published snapshot. The fixture's window lies in the past, so by the delivery definition these runs
 * are ad hoc and publish into the history rather than the default view (lib/delivery covers that choice).
 */
async function currentSnapshot() {
  const { rows } = await testDb.pool.query<{ task_id: string; customers: number }>(
    `SELECT s.task_id, (SELECT count(*)::int FROM analytics.customer_metrics m WHERE m.task_id = s.task_id) AS customers
     FROM analytics.dashboard_snapshots s WHERE s.state = 'published' ORDER BY s.published_at DESC, s.id DESC LIMIT 1`,
  );
  return rows;
}

let workerRegistry: ReturnType<typeof createRegistry>;
/** The first completed run, whose staging later runs' publishing purges. */
let firstTaskId: string;
/** The run that copied its orders, whose copy tables a later run's publishing drops. */
let copiedTaskId = '';

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  const [crmRoute, inventoryRoute, slackRoute] = await Promise.all([
    import('@/app/demo/crm/users/route'),
    import('@/app/demo/inventory/products/route'),
    import('@/app/demo/slack/webhook/route'),
  ]);
  server = await serveRoutes({
    '/demo/crm/users': crmRoute,
    '/demo/inventory/products': inventoryRoute,
    '/demo/slack/webhook': slackRoute,
  });
  await loadFixtureIntoSources(testDb);

  const realSlack = createSlackClient({ webhookUrl: `${server.url}/demo/slack/webhook`, timeoutMs: 5_000 });
  const slack: SlackClient = {
    async send(message, options) {
      if (message.channel && failNextPostTo.delete(message.channel)) {
        throw new RetryableError(`webhook unavailable for ${message.channel} (test outage)`);
      }
      await realSlack.send(message, options);
    },
  };
  workerRegistry = createRegistry();
  workerRegistry.register(
    createCustomerAnalyticsPipeline(() => ({
      ordersPool: testDb.pool,
      ordersInAppDatabase: ordersMode === 'in_database',
      ordersBatchSize: 10,
      injectOrdersFault: async (pid) => {
        await maybeTerminateBackend(testDb.pool, pid, scriptedOrdersFailureRates.shift() ?? (await readOrdersDbFailureRate(testDb.db)));
      },
      // Page sizes smaller than the data, so cursors are really followed.
      crm: createCrmClient({ baseUrl: `${server.url}/demo/crm`, pageSize: 3, timeoutMs: 5_000 }),
      inventory: createInventoryClient({ baseUrl: `${server.url}/demo/inventory`, pageSize: 2, timeoutMs: 5_000 }),
      slack,
    })),
  );
  worker = createWorker({
    db: testDb,
    registry: workerRegistry,
    concurrency: 4,
    leaseMs: 10_000,
    heartbeatMs: 1_000,
    pollIntervalMs: 200,
    backoff: { baseMs: 20, capMs: 100 },
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop({ graceMs: 2_000 });
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('customer_analytics on the engine', () => {
  it('computes the hand-checked metrics from the real sources and publishes a snapshot', async () => {
    const taskId = await launch();
    firstTaskId = taskId;
    const task = await waitForStatus(taskId, ['completed', 'failed']);
    expect(task.status).toBe('completed');
    expect(task.steps.map((s) => s.status)).toEqual(Array(8).fill('completed'));

    const customers = await testDb.pool.query(
      `SELECT customer_id, total_lifetime_value, average_order_value, total_orders, order_frequency, days_since_last_order, customer_segment
       FROM analytics.customer_metrics WHERE task_id = $1 ORDER BY customer_id`,
      [taskId],
    );
    expect(customers.rows.map((r) => [r.customer_id, r.total_lifetime_value, r.average_order_value, r.total_orders, r.order_frequency, r.days_since_last_order, r.customer_segment]))
      .toEqual(EXPECTED_CUSTOMER_METRICS);
    const products = await testDb.pool.query(
      `SELECT product_id, category, units_sold, revenue, orders_count, unique_customers, average_selling_price, stock_on_hand, days_of_cover
       FROM analytics.product_metrics WHERE task_id = $1 ORDER BY product_id`,
      [taskId],
    );
    expect(products.rows).toHaveLength(EXPECTED_PRODUCT_METRICS.length);
    products.rows.forEach((row, index) => {
      const [id, category, units, revenue, ordersCount, unique, price, stock, cover] = EXPECTED_PRODUCT_METRICS[index] ?? [];
      expect([row.product_id, row.category, row.units_sold, row.revenue, row.orders_count, row.unique_customers, row.average_selling_price, row.stock_on_hand])
        .toEqual([id, category, units, revenue, ordersCount, unique, price, stock]);
      if (cover === null) expect(row.days_of_cover).toBeNull();
      else expect(row.days_of_cover).toBeCloseTo(cover ?? NaN, 10);
    });

    // The seed's result shapes and the extract's count (the two out-of-window orders are not extracted).
    const byName = Object.fromEntries(task.steps.map((s) => [s.name, s]));
    expect(byName.extract_orders?.result).toMatchObject({
      total_count: FIXTURE_ORDERS.length - 2,
      date_range: FIXTURE_WINDOW,
      boundary: { kind: 'source', orders: FIXTURE_ORDERS.length - 2 },
    });
    expect(byName.extract_users?.result).toMatchObject({ total_count: FIXTURE_USERS.length });
    // Every declared result schema (what an operator completing the step by hand must supply) fits the real result.
    const declared = workerRegistry.require(CUSTOMER_ANALYTICS.namespace, CUSTOMER_ANALYTICS.name).steps.filter((step) => step.result !== null);
    expect(declared.map((step) => step.name)).toEqual(['extract_users', 'extract_products', 'send_notifications']);
    for (const step of declared) expect(step.result?.safeParse(byName[step.name]?.result).error).toBeUndefined();
    expect(byName.transform_customer_metrics?.result).toMatchObject({ total_customers: 8, skipped_customers: 1 });
    // The run takes the current window's KPI figures from its own pinned orders and reads only the previous window
    // from the source; a full read of both windows from the source must give the same KPIs.
    const fromSource = await readWindowTotals(testDb.pool, {
      startDate: FIXTURE_WINDOW.start_date,
      endDate: FIXTURE_WINDOW.end_date,
      windowDays: windowDays({ date_range: FIXTURE_WINDOW }),
    });
    expect(byName.transform_customer_metrics?.result).toMatchObject({
      window_customers: { active_customers: fromSource.current.activeCustomers, first_time_buyers: fromSource.current.firstTimeBuyers },
    });
    const kpiInsight = await testDb.pool.query<{ data: Kpis }>(`SELECT data FROM analytics.insights WHERE task_id = $1 AND kind = 'kpis'`, [taskId]);
    const runKpis = kpiInsight.rows[0]?.data;
    expect(runKpis).toEqual(buildKpis(fromSource.current, fromSource.previous, runKpis?.vip_revenue_share.current ?? NaN));
    expect(runKpis?.orders.current).toBe(FIXTURE_ORDERS.length - 2);
    // Revenue per day: the same as counting the orders.
    const perDay = await testDb.pool.query(
      `SELECT day::text, orders, revenue::text FROM analytics.daily_revenue WHERE task_id = $1 AND orders > 0 ORDER BY day`,
      [taskId],
    );
    const counted = await testDb.pool.query(
      `SELECT (created_at AT TIME ZONE 'UTC')::date::text AS day, count(*)::int AS orders, sum(total_amount)::text AS revenue
       FROM shop.orders WHERE created_at >= $1::date AND created_at < $2::date + 1 GROUP BY 1 ORDER BY 1`,
      [FIXTURE_WINDOW.start_date, FIXTURE_WINDOW.end_date],
    );
    expect(perDay.rows).toEqual(counted.rows);
    expect(byName.extract_orders?.progressMessage).toBe(`Processed ${FIXTURE_ORDERS.length - 2}/${FIXTURE_ORDERS.length - 2} orders (100.0%)`);

    expect(await currentSnapshot()).toEqual([{ task_id: taskId, customers: 8 }]);
    const insights = await testDb.pool.query<{ kind: string }>('SELECT kind FROM analytics.insights WHERE task_id = $1 ORDER BY position', [taskId]);
    expect(insights.rows.map((r) => r.kind)).toEqual(['kpis', 'segment_mix', 'top_products', 'top_categories', 'revenue_concentration', 'low_stock', 'data_quality', 'anomalies', 'drivers']);
    // The executive summary's overview agrees with the KPIs (both UTC days here), and low stock is its reorder rule.
    const summary = executiveSummaryOf(byName.generate_insights?.result);
    expect(summary?.period_overview).toMatchObject({ total_revenue: runKpis?.revenue.current, total_orders: runKpis?.orders.current });
    expect(summary?.period_overview.previous_period).toMatchObject({ total_revenue: runKpis?.revenue.previous, total_orders: runKpis?.orders.previous });
    const lowStock = await testDb.pool.query<{ data: { count: number } }>(`SELECT data FROM analytics.insights WHERE task_id = $1 AND kind = 'low_stock'`, [taskId]);
    expect(lowStock.rows[0]?.data.count).toBe(summary?.reorder_needed_count);
    const messages = await testDb.pool.query<{ channel: string; text: string }>(`SELECT channel, text FROM demo.slack_messages WHERE text LIKE '%' || $1 || '%'`, [taskId]);
    expect(messages.rows.map((m) => m.channel)).toEqual(['#data-team']);
  });

  it('completes with a CRM failing half of its requests, extract_users needing more than one attempt', async () => {
    // Exactly every other CRM request fails (dice: 0.1 → fail, 0.3 → HTTP 500; 0.9 → served). With pages of 3 of
    // the 8 users, each retry resumes after the last staged page: fail, (1 ✓, 2 ✗), (2 ✓, 3 ✗), (3 ✓) → 4 attempts.
    const dice = [0.1, 0.3, 0.9];
    let roll = 0;
    useFaultDice(() => dice[roll++ % dice.length] ?? 0.9);
    try {
      await updateChaosSettings(testDb.db, { crm: { failure_rate: 0.5 } });
      const taskId = await launch({ force_refresh: true });
      const task = await waitForStatus(taskId, ['completed', 'failed']);
      expect(task.status).toBe('completed');
      const users = task.steps.find((s) => s.name === 'extract_users');
      expect(users?.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'completed']);
      expect(users?.attempts[0]?.errorMessage).toMatch(/answered 500/);
      expect(users?.result).toMatchObject({ total_count: FIXTURE_USERS.length });
      const metrics = await testDb.pool.query('SELECT count(*)::int AS n FROM analytics.customer_metrics WHERE task_id = $1', [taskId]);
      expect(metrics.rows[0].n).toBe(8);
    } finally {
      useFaultDice();
      await updateChaosSettings(testDb.db, { crm: { failure_rate: 0 } });
    }
  });

  it('fails only after extract_users exhausts 1 + 5 attempts, and a retry of it alone completes the run', async () => {
    await updateChaosSettings(testDb.db, { crm: { failure_rate: 1 } });
    const taskId = await launch({ force_refresh: true });
    const failed = await waitForStatus(taskId, ['completed', 'failed']);
    expect(failed.status).toBe('failed');
    const steps = Object.fromEntries(failed.steps.map((s) => [s.name, s]));
    expect(steps.extract_users?.status).toBe('failed');
    expect(steps.extract_users?.attempts).toHaveLength(6);
    expect(steps.extract_orders?.status).toBe('completed');
    expect(steps.extract_products?.status).toBe('completed');
    expect(steps.transform_customer_metrics?.status).toBe('blocked');
    expect(steps.generate_insights?.status).toBe('blocked');
    const ordersAttempt = steps.extract_orders?.attempts[0];

    await updateChaosSettings(testDb.db, { crm: { failure_rate: 0 } });
    await retryStep(testDb, { taskId, stepName: 'extract_users', actor: 'test', reason: 'CRM is back' });
    const completed = await waitForStatus(taskId, ['completed']);
    const after = Object.fromEntries(completed.steps.map((s) => [s.name, s]));
    expect(after.extract_users?.attempts).toHaveLength(7);
    expect(after.extract_orders?.attempts).toEqual([ordersAttempt]);
    expect(after.extract_products?.attempts).toHaveLength(1);
  });

  it('keeps the previous snapshot current and whole while update_dashboard cannot publish', async () => {
    const [before] = await currentSnapshot();
    expect(before?.customers).toBe(8);
    // SHARE mode lets readers in but keeps writers out: the dashboard reads, the publish times out.
    const locker = await testDb.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE analytics.dashboard_snapshots IN SHARE MODE');
      const taskId = await launch({ force_refresh: true });
      await waitFor('update_dashboard to fail an attempt', async () => {
        const task = await getTask(testDb, taskId);
        const step = task?.steps.find((s) => s.name === 'update_dashboard');
        return step && step.attempts.some((a) => a.outcome === 'failed');
      }, 30_000);
      expect(await currentSnapshot()).toEqual([before]);
      await locker.query('COMMIT');
      const task = await waitForStatus(taskId, ['completed']);
      expect(await currentSnapshot()).toEqual([{ task_id: task.id, customers: 8 }]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
  });

  it('never posts twice to a channel when send_notifications is retried after a partial failure', async () => {
    failNextPostTo.add('#ops');
    const taskId = await launch({ force_refresh: true, notification_channels: ['#data-team', '#ops', '#exec'] });
    const task = await waitForStatus(taskId, ['completed', 'failed']);
    expect(task.status).toBe('completed');
    const step = task.steps.find((s) => s.name === 'send_notifications');
    expect(step?.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    const messages = await testDb.pool.query<{ channel: string }>(
      `SELECT channel FROM demo.slack_messages WHERE text LIKE '%' || $1 || '%' ORDER BY id`,
      [taskId],
    );
    expect(messages.rows.map((m) => m.channel)).toEqual(['#data-team', '#ops', '#exec']);
  });

  it('pins the orders again when the database drops the connection before the boundary was pinned', async () => {
    scriptedOrdersFailureRates.push(1);
    const taskId = await launch({ force_refresh: true });
    const task = await waitForStatus(taskId, ['completed', 'failed']);
    expect(task.status).toBe('completed');
    const step = task.steps.find((s) => s.name === 'extract_orders');
    // A dropped database connection is infrastructure: the attempt is lost, and the retry budget is untouched.
    expect(step?.attempts.map((a) => a.outcome)).toEqual(['lost', 'completed']);
    expect(step?.attempts[0]?.errorMessage).toMatch(/terminating connection due to administrator command/);
    expect(step?.result).toMatchObject({ total_count: FIXTURE_ORDERS.length - 2, boundary: { kind: 'source' } });
    const customers = await testDb.pool.query('SELECT count(*)::int AS n FROM analytics.customer_metrics WHERE task_id = $1', [taskId]);
    expect(customers.rows[0].n).toBe(8);
  });

  it('copying from a separate orders database: resumes after the last committed batch when the database drops its connection', async () => {
    // Batches of 10 orders: the 1st and 2nd commit, then the server terminates the connection before the 3rd.
    ordersMode = 'copy';
    scriptedOrdersFailureRates.push(0, 0, 1);
    try {
      const taskId = await launch({ force_refresh: true });
      copiedTaskId = taskId;
      const task = await waitForStatus(taskId, ['completed', 'failed']);
      expect(task.status).toBe('completed');
      const step = task.steps.find((s) => s.name === 'extract_orders');
      expect(step?.attempts.map((a) => a.outcome)).toEqual(['lost', 'completed']);
      expect(step?.attempts[0]?.errorMessage).toMatch(/terminating connection due to administrator command/);
      expect(step?.result).toMatchObject({ total_count: FIXTURE_ORDERS.length - 2, boundary: { kind: 'copy' } });
      const copy = copyTables(taskId);
      const staged = await testDb.pool.query<{ orders: number; distinct_orders: number; unlogged: boolean }>(
        `SELECT count(*)::int AS orders, count(DISTINCT order_id)::int AS distinct_orders,
                (SELECT relpersistence = 'u' FROM pg_class WHERE oid = $1::regclass) AS unlogged
         FROM ${copy.orders}`,
        [copy.orders],
      );
      expect(staged.rows[0]).toEqual({ orders: FIXTURE_ORDERS.length - 2, distinct_orders: FIXTURE_ORDERS.length - 2, unlogged: true });
      const customers = await testDb.pool.query(
        `SELECT customer_id, total_lifetime_value, average_order_value, total_orders, order_frequency, days_since_last_order, customer_segment
         FROM analytics.customer_metrics WHERE task_id = $1 ORDER BY customer_id`,
        [taskId],
      );
      expect(customers.rows.map((r) => [r.customer_id, r.total_lifetime_value, r.average_order_value, r.total_orders, r.order_frequency, r.days_since_last_order, r.customer_segment]))
        .toEqual(EXPECTED_CUSTOMER_METRICS);
      const products = await testDb.pool.query('SELECT count(*)::int AS n FROM analytics.product_metrics WHERE task_id = $1', [taskId]);
      expect(products.rows[0].n).toBe(EXPECTED_PRODUCT_METRICS.length);
      // The second attempt picked up after batch 2: its first progress report already counted 20 orders.
      const progress = await testDb.pool.query<{ message: string }>(
        `SELECT payload ->> 'message' AS message FROM task_events WHERE task_id = $1 AND name = 'step.progress' AND step_name = 'extract_orders' ORDER BY id`,
        [taskId],
      );
      expect(progress.rows.map((r) => r.message)).toContain(`Processed 20/${FIXTURE_ORDERS.length - 2} orders (${((20 / (FIXTURE_ORDERS.length - 2)) * 100).toFixed(1)}%)`);
      // The executive summary of the copied window: the window part from the copy, the rest summed in the orders
      // database — the same figures as the first run's over the same orders in place (only the links name the run).
      const inPlace = await getTask(testDb, firstTaskId);
      const summaryOf = (result: unknown) => {
        const summary = executiveSummaryOf(result);
        return summary && { ...summary, recommendations: summary.recommendations.map(({ action_url: _url, ...rest }) => rest) };
      };
      const copiedSummary = summaryOf(task.steps.find((s) => s.name === 'generate_insights')?.result);
      expect(copiedSummary).not.toBeNull();
      expect(copiedSummary).toEqual(summaryOf(inPlace?.steps.find((s) => s.name === 'generate_insights')?.result));
    } finally {
      ordersMode = 'in_database';
    }
  });

  it('purges the staging of finished runs when a newer snapshot is published, and refuses to transform without it', async () => {
    const staged = async (taskId: string) =>
      (await testDb.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.staging_users WHERE task_id = $1', [taskId])).rows[0]?.n;
    const copyPresent = async (taskId: string) =>
      (await testDb.pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [copyTables(taskId).orders])).rows[0]?.present;
    const [current] = await currentSnapshot();
    expect(current?.task_id).toBe(copiedTaskId);
    expect(await staged(firstTaskId)).toBe(0);
    expect(await staged(copiedTaskId)).toBe(FIXTURE_USERS.length);
    expect(await copyPresent(copiedTaskId)).toBe(true);

    // A newer run's publication drops the copy of the run it replaces.
    const newer = await launch({ force_refresh: true });
    expect((await waitForStatus(newer, ['completed', 'failed'])).status).toBe('completed');
    expect(await copyPresent(copiedTaskId)).toBe(false);
    expect(await staged(copiedTaskId)).toBe(0);

    await rerunFromStep(testDb, { taskId: firstTaskId, stepName: 'transform_customer_metrics', actor: 'test', reason: 'recompute' });
    const task = await waitForStatus(firstTaskId, ['completed', 'failed']);
    const step = task.steps.find((s) => s.name === 'transform_customer_metrics');
    expect(task.status).toBe('failed');
    expect(step?.attempts.at(-1)?.errorClass).toBe('PermanentError');
    expect(step?.attempts.at(-1)?.errorMessage).toMatch(/purged .* rerun from the extract steps/);
  });
});
