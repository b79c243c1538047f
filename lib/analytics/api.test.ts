/**
 * The seed's HTTP API (POST /analytics/start, GET /analytics/status/:id, GET /analytics/results/:id and its CSVs)
 * over real HTTP, with real API tokens, against a test database and a real engine worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { createWorker, getTask, type Worker } from '@/lib/engine';
import { executiveSummaryOf } from '@/lib/pipelines/customer-analytics/results';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { waitFor } from '@/tests/setup/wait';

let testDb: TestDatabase;
let server: TestServer;
let worker: Worker;
let forgetAppDatabase: () => Promise<void>;
let operator: TestIdentity;
let viewer: TestIdentity;

// Demo data for January 2026 (the generator's window ends on the day before endDate).
const WINDOW = { start_date: '2026-01-01', end_date: '2026-01-31' };

function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  const routes = {
    '/analytics/start': await import('@/app/analytics/start/route'),
    '/analytics/status/[task_id]': await import('@/app/analytics/status/[task_id]/route'),
    '/analytics/results/[task_id]': await import('@/app/analytics/results/[task_id]/route'),
    '/analytics/results/[task_id]/[file]': await import('@/app/analytics/results/[task_id]/[file]/route'),
    '/demo/crm/users': await import('@/app/demo/crm/users/route'),
    '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
  };
  server = await serveRoutes(routes);
  // The app's own pipeline registration, pointed at this test server's demo endpoints.
  process.env.CRM_URL = `${server.url}/demo/crm`;
  process.env.INVENTORY_URL = `${server.url}/demo/inventory`;
  process.env.SLACK_WEBHOOK_URL = `${server.url}/demo/slack/webhook`;
  const { seedDemoData } = await import('@/lib/demo/generator/seed-if-empty');
  await seedDemoData(testDb.url, testDb.url, { customers: 300, products: 40, days: 62, orders: 3_000, seed: 7, endDate: new Date('2026-02-01T00:00:00Z') });
  operator = await createIdentity(testDb.db, 'operator');
  viewer = await createIdentity(testDb.db, 'viewer');
  const { buildRegistry } = await import('@/lib/runtime/registry');
  const { getDb } = await import('@/lib/database');
  worker = createWorker({ db: getDb(), registry: buildRegistry(), concurrency: 4, leaseMs: 10_000, heartbeatMs: 1_000, pollIntervalMs: 200 });
});

afterAll(async () => {
  await worker?.stop({ graceMs: 2_000 });
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('POST /analytics/start', () => {
  it.each([
    ['not JSON', '{"date_range":', 'body is not valid JSON'],
    ['wrong types', JSON.stringify({ date_range: { start_date: 20260101, end_date: '2026-01-02' }, force_refresh: 'yes' }), 'date_range.start_date'],
    ['a bad date', JSON.stringify({ date_range: { start_date: '2026-02-30', end_date: '2026-03-01' } }), 'date_range.start_date'],
    ['end before start', JSON.stringify({ date_range: { start_date: '2026-03-02', end_date: '2026-03-01' } }), 'date_range.end_date'],
    ['an end in the future', JSON.stringify({ date_range: { start_date: '2026-01-01', end_date: '2999-01-01' } }), 'date_range.end_date'],
    ['a window over 366 days', JSON.stringify({ date_range: { start_date: '2024-01-01', end_date: '2025-06-01' } }), 'date_range.end_date'],
    ['an unknown field', JSON.stringify({ date_range: WINDOW, colour: 'blue' }), 'colour'],
    ['a bad channel', JSON.stringify({ date_range: WINDOW, notification_channels: ['data team'] }), 'notification_channels.0'],
    ['a missing window', JSON.stringify({}), 'date_range'],
    // No date string may reach the database unchecked (year 0000 used to answer 500).
    ['year 0000', JSON.stringify({ date_range: { start_date: '0000-01-01', end_date: '0000-01-02' } }), 'date_range.start_date'],
    ['year 0001', JSON.stringify({ date_range: { start_date: '0001-01-01', end_date: '0001-01-02' } }), 'date_range.start_date'],
    ['a day before 2000', JSON.stringify({ date_range: { start_date: '1999-12-31', end_date: '2000-01-01' } }), 'date_range.start_date'],
    ['a five-digit year', JSON.stringify({ date_range: { start_date: '2026-01-01', end_date: '10000-01-01' } }), 'date_range.end_date'],
    ['30 February', JSON.stringify({ date_range: { start_date: '2026-02-01', end_date: '2026-02-30' } }), 'date_range.end_date'],
    ['an oversize body', JSON.stringify({ date_range: WINDOW, notification_channels: Array(5000).fill('#data-team') }), 'body is too large'],
  ])('refuses %s with 400 and names the problem, creating nothing', async (_case, body, expected) => {
    const response = await post('/analytics/start', body, operator.bearer);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(typeof json.error).toBe('string');
    expect([json.error, ...json.issues.map((issue) => issue.path)]).toContain(expected);
    const tasks = await testDb.pool.query('SELECT count(*)::int AS n FROM tasks');
    expect(tasks.rows[0].n).toBe(0);
  });

  it('answers 401 without credentials and 403 for a viewer', async () => {
    expect((await post('/analytics/start', JSON.stringify({ date_range: WINDOW }), {})).status).toBe(401);
    expect((await post('/analytics/start', JSON.stringify({ date_range: WINDOW }), viewer.bearer)).status).toBe(403);
  });

  it('starts a run (202), returns the running one (200), then reuses the completed snapshot (200, reused)', async () => {
    const first = await post('/analytics/start', JSON.stringify({ date_range: WINDOW }), operator.bearer);
    expect(first.status).toBe(202);
    const started = (await first.json()) as { task_id: string; status: string; status_url: string };
    expect(started).toEqual({ task_id: expect.any(String), status: 'pending', status_url: `/analytics/status/${started.task_id}` });

    const again = await post('/analytics/start', JSON.stringify({ date_range: WINDOW }), operator.bearer);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ task_id: started.task_id, already_running: true });

    await worker.start();
    await waitFor('the run to complete', async () => {
      const row = await testDb.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [started.task_id]);
      return row.rows[0]?.status === 'completed';
    }, 60_000);

    const reused = await post('/analytics/start', JSON.stringify({ date_range: WINDOW }), operator.bearer);
    expect(reused.status).toBe(200);
    expect(await reused.json()).toEqual({ task_id: started.task_id, status: 'completed', status_url: `/analytics/status/${started.task_id}`, reused: true });

    const forced = await post('/analytics/start', JSON.stringify({ date_range: WINDOW, force_refresh: true }), operator.bearer);
    expect(forced.status).toBe(202);
    expect(((await forced.json()) as { task_id: string }).task_id).not.toBe(started.task_id);
  });
});

describe('GET /analytics/status/:task_id and /analytics/results/:task_id', () => {
  async function completedTaskId(): Promise<string> {
    const row = await testDb.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE status = 'completed' ORDER BY created_at LIMIT 1`);
    const id = row.rows[0]?.id;
    if (!id) throw new Error('no completed task');
    return id;
  }

  it('returns every field of the status contract', async () => {
    const taskId = await completedTaskId();
    const response = await fetch(`${server.url}/analytics/status/${taskId}`, { headers: viewer.bearer });
    expect(response.status).toBe(200);
    const status = (await response.json()) as Record<string, unknown> & { steps: Record<string, unknown>[]; progress: unknown };
    expect(status).toMatchObject({
      task_id: taskId,
      namespace: 'data_pipeline',
      name: 'customer_analytics',
      version: '1.0.0',
      status: 'completed',
      context: { date_range: WINDOW, force_refresh: false, notification_channels: ['#data-team'] },
      progress: { completed: 8, total: 8, percent: 100 },
      // A January window run in a later month: it publishes into the history, not the default view.
      kind: 'ad_hoc',
      outcome: 'published',
      hold_reasons: [],
    });
    for (const key of ['created_at', 'started_at', 'completed_at']) expect(Date.parse(String(status[key]))).not.toBeNaN();
    expect(status.steps.map((step) => step.name)).toEqual([
      'extract_orders', 'extract_users', 'extract_products', 'transform_customer_metrics', 'transform_product_metrics',
      'generate_insights', 'update_dashboard', 'send_notifications',
    ]);
    const users = status.steps.find((step) => step.name === 'extract_users');
    expect(users).toMatchObject({
      status: 'completed', attempts: 1, retry_limit: 5, retryable: true, depends_on: [], last_error: null, next_retry_at: null,
      progress: { message: expect.stringMatching(/^Processed 300 users/), percent: null, updated_at: expect.any(String) },
    });
    const customers = status.steps.find((step) => step.name === 'transform_customer_metrics');
    expect(customers).toMatchObject({ depends_on: ['extract_orders', 'extract_users'], retry_limit: 2 });
    // The seed's graph exactly: generate_insights reads extract_orders as an ancestor, not through an edge of its own.
    expect(status.steps.find((step) => step.name === 'generate_insights')?.depends_on).toEqual(['transform_customer_metrics', 'transform_product_metrics']);
    for (const step of status.steps) {
      expect(typeof step.duration_ms).toBe('number');
      expect(Date.parse(String(step.started_at))).not.toBeNaN();
      expect(Date.parse(String(step.completed_at))).not.toBeNaN();
    }
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await fetch(`${server.url}/analytics/status/00000000-0000-4000-8000-000000000000`, { headers: viewer.bearer });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: expect.stringContaining('does not exist') });
    const malformed = await fetch(`${server.url}/analytics/status/not-a-uuid`, { headers: viewer.bearer });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ issues: [{ path: 'task_id', message: 'must be a UUID' }] });
    expect((await fetch(`${server.url}/analytics/results/not-a-uuid`, { headers: viewer.bearer })).status).toBe(400);
    expect((await fetch(`${server.url}/analytics/results/00000000-0000-4000-8000-000000000000`, { headers: viewer.bearer })).status).toBe(404);
  });

  it('returns insights, segment counts and CSVs with one row per metric row', async () => {
    const taskId = await completedTaskId();
    const response = await fetch(`${server.url}/analytics/results/${taskId}`, { headers: viewer.bearer });
    expect(response.status).toBe(200);
    const results = (await response.json()) as {
      insights: { kind: string; sentence: string }[];
      segments: { segment: string; customers: number }[];
      links: Record<string, string>;
      executive_summary: unknown;
    };
    expect(results.insights.map((insight) => insight.kind)).toContain('kpis');
    // The executive summary is generate_insights' own, served as the step stored it.
    const stored = await getTask(testDb, taskId);
    const insightsStep = stored?.steps.find((step) => step.name === 'generate_insights');
    expect(results.executive_summary).not.toBeNull();
    expect(results.executive_summary).toEqual(executiveSummaryOf(insightsStep?.result));
    const segmentCounts = await testDb.pool.query<{ segment: string; n: number }>(
      `SELECT customer_segment AS segment, count(*)::int AS n FROM analytics.customer_metrics WHERE task_id = $1 GROUP BY 1`,
      [taskId],
    );
    for (const { segment, n } of segmentCounts.rows) {
      expect(results.segments.find((s) => s.segment === segment)?.customers).toBe(n);
    }
    const csv = await fetch(`${server.url}${results.links.customers_csv}`, { headers: viewer.bearer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^customer_id,customer_email,total_lifetime_value/);
    const count = await testDb.pool.query('SELECT count(*)::int AS n FROM analytics.customer_metrics WHERE task_id = $1', [taskId]);
    expect(lines.length - 1).toBe(count.rows[0].n);
    const products = await fetch(`${server.url}${results.links.products_csv}`, { headers: viewer.bearer });
    expect(products.status).toBe(200);
    expect((await fetch(`${server.url}/analytics/results/${taskId}/secrets.csv`, { headers: viewer.bearer })).status).toBe(404);
  });

  it('serves the executive summary\'s at-risk customers and products to reorder as CSVs, exactly the ones it counts', async () => {
    const taskId = await completedTaskId();
    const results = (await (await fetch(`${server.url}/analytics/results/${taskId}`, { headers: viewer.bearer })).json()) as {
      links: Record<string, string>;
      executive_summary: { churn_risk: { customers_at_risk: number }; reorder_needed_count: number; reorder: { product_id: number }[]; recommendations: { action_url: string }[] };
    };
    const summary = results.executive_summary;
    expect(results.links.at_risk_customers_csv).toBe(`/analytics/results/${taskId}/at-risk-customers.csv`);
    expect(results.links.products_to_reorder_csv).toBe(`/analytics/results/${taskId}/products-to-reorder.csv`);
    const rows = async (link: string | undefined) => {
      const response = await fetch(`${server.url}${link}`, { headers: viewer.bearer });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/csv/);
      const [header, ...lines] = (await response.text()).trim().split('\r\n');
      const columns = (header ?? '').split(',');
      return { columns, records: lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell]))) };
    };

    const atRisk = await rows(results.links.at_risk_customers_csv);
    expect(atRisk.columns).toEqual([
      'customer_id', 'customer_email', 'total_lifetime_value', 'average_order_value', 'total_orders', 'order_frequency',
      'days_since_last_order', 'mean_interval_days', 'customer_segment', 'acquisition_date', 'calculated_at',
    ]);
    // The demo month has lapsed regulars; the CSV lists every one the summary counts, each meeting the churn rule.
    expect(summary.churn_risk.customers_at_risk).toBeGreaterThan(0);
    expect(atRisk.records).toHaveLength(summary.churn_risk.customers_at_risk);
    for (const record of atRisk.records) {
      const [days, interval] = [Number(record.days_since_last_order), Number(record.mean_interval_days)];
      expect(Number(record.total_orders)).toBeGreaterThanOrEqual(3);
      expect(days).toBeGreaterThan(Math.max(30, 2 * interval - 0.01));
      expect(days).toBeLessThanOrEqual(365);
    }

    const reorder = await rows(results.links.products_to_reorder_csv);
    expect(reorder.columns).toEqual([
      'product_id', 'sku', 'name', 'category', 'stock_on_hand', 'units_sold_28_days', 'daily_velocity', 'days_of_cover', 'reorder_quantity', 'calculated_at',
    ]);
    expect(reorder.records).toHaveLength(summary.reorder_needed_count);
    for (const record of reorder.records) {
      // The reorder rule with the default 14 days of cover: stock · 28 < 14 · units sold in the 28 days ending E.
      expect(Number(record.stock_on_hand) * 28).toBeLessThan(14 * Number(record.units_sold_28_days));
    }
    const listed = new Set(reorder.records.map((record) => Number(record.product_id)));
    expect(summary.reorder.every((product) => listed.has(product.product_id))).toBe(true);
    // Every recommendation that sends a person to a list sends them to one of these two.
    const csvLinks = summary.recommendations.map((r) => r.action_url).filter((url) => url.endsWith('.csv'));
    expect(csvLinks.every((url) => url === results.links.at_risk_customers_csv || url === results.links.products_to_reorder_csv)).toBe(true);
  });
});
