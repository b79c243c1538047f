/**
 * Cached answers through the real routes and a real PostgreSQL: an unchanged snapshot answers 304 to a conditional
 * request, a publish invalidates every cached answer at once (the very next request returns the new snapshot),
 * and an engine notification about a run reaches the dashboard's freshness. The delivery calendar is cached the same
 * way, and also follows an edit of the schedule it is defined by.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { EVENTS_CHANNEL } from '@/lib/engine';
import { liveHub } from '@/lib/live/server-hub';
import { makeDefaultView } from '@/lib/delivery/publish';
import { ensureDefaultSchedule } from '@/lib/scheduling/schedules';
import { publishDashboard } from '@/lib/pipelines/customer-analytics/steps/update-dashboard';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { waitFor } from '@/tests/setup/wait';
import { cachedAnswers } from '.';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

let testDb: TestDatabase;
let server: TestServer;
let viewer: TestIdentity;
let forgetAppDatabase: () => Promise<void>;
const snapshotIds = new Map<string, number>();

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** A finished run with a few customers, published as the current snapshot. */
async function publishRun(customers: number, status: 'completed' | 'running' = 'completed'): Promise<string> {
  const end = yesterday();
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, completed_at)
     VALUES ('data_pipeline', 'customer_analytics', '1.0.0', $1::task_status, $2, 'test', CASE WHEN $1::task_status = 'completed' THEN now() END)
     RETURNING id`,
    [status, JSON.stringify({ date_range: { start_date: end, end_date: end } })],
  );
  const taskId = rows[0]?.id ?? '';
  if (status !== 'completed') return taskId;
  await testDb.pool.query(
    `INSERT INTO analytics.customer_metrics (task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
       order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at)
     SELECT $1, g, 'c' || g || '@example.test', 100 * g, 100, 1, 0, 0, 'Occasional', now(), now() FROM generate_series(1, $2::int) g`,
    [taskId, customers],
  );
  // Orders in the KPIs, so the data-quality gate publishes instead of holding the snapshot for review.
  const figure = (current: number) => ({ current, previous: null, change_percent: null });
  await testDb.pool.query(`INSERT INTO analytics.insights (task_id, position, kind, sentence, data) VALUES ($1, 0, 'kpis', 'KPIs', $2)`, [
    taskId,
    JSON.stringify({ revenue: figure(100 * customers), orders: figure(customers), average_order_value: figure(100), active_customers: figure(customers) }),
  ]);
  const published = await publishDashboard(testDb.pool, { taskId, startDate: end, endDate: end });
  expect(published).toMatchObject({ state: 'published', default_view: true });
  snapshotIds.set(taskId, published.snapshot_id);
  return taskId;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, etag: response.headers.get('etag'), text: await response.text() };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  viewer = await createIdentity(testDb.db, 'viewer');
  server = await serveRoutes({
    '/api/dashboard': await import('@/app/api/dashboard/route'),
    '/status.json': await import('@/app/status.json/route'),
    '/api/calendar': await import('@/app/api/calendar/route'),
  });
});

afterAll(async () => {
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('cached dashboard and status answers', () => {
  let firstTask: string;
  let dashboardTag: string;
  let statusTag: string;

  it('answers 304 to a conditional request while the snapshot is unchanged', async () => {
    firstTask = await publishRun(3);
    const dashboard = await get('/api/dashboard', viewer.bearer);
    expect(dashboard.status).toBe(200);
    expect(JSON.parse(dashboard.text)).toMatchObject({ kind: 'ready', data: { snapshot: { taskId: firstTask, customers: 3 } } });
    expect(dashboard.etag).toMatch(/^"[\w-]+"$/);
    dashboardTag = dashboard.etag ?? '';

    const again = await get('/api/dashboard', { ...viewer.bearer, 'if-none-match': dashboardTag });
    expect(again).toEqual({ status: 304, etag: dashboardTag, text: '' });
    // Another page is another answer with its own validator.
    const page2 = await get('/api/dashboard?page=2', { ...viewer.bearer, 'if-none-match': dashboardTag });
    expect(page2.status).toBe(200);
    // The validator does not let anyone past the sign-in.
    expect((await get('/api/dashboard', { 'if-none-match': dashboardTag })).status).toBe(401);

    const status = await get('/status.json');
    expect(status.status).toBe(200);
    statusTag = status.etag ?? '';
    expect((await get('/status.json', { 'if-none-match': `W/${statusTag}, "other"` })).status).toBe(304);
  });

  it('serves the new snapshot on the very next request after a publish, to conditional requests too', async () => {
    const secondTask = await publishRun(5);
    const dashboard = await get('/api/dashboard', { ...viewer.bearer, 'if-none-match': dashboardTag });
    expect(dashboard.status).toBe(200);
    expect(JSON.parse(dashboard.text)).toMatchObject({ data: { snapshot: { taskId: secondTask, customers: 5 } } });
    expect(dashboard.etag).not.toBe(dashboardTag);

    const status = await get('/status.json', { 'if-none-match': statusTag });
    expect(status.status).toBe(200);
    expect(status.etag).not.toBe(statusTag);

    // An older snapshot made the default view changes the answers just the same.
    await makeDefaultView(testDb.pool, { snapshotId: snapshotIds.get(firstTask) ?? 0, actor: { actorId: viewer.userId, actorLabel: 'test' }, reason: 'compare' });
    const restored = await cachedAnswers().dashboard({ sort: 'lifetime_value', dir: 'desc', page: 1 });
    expect(restored.value).toMatchObject({ data: { snapshot: { taskId: firstTask } } });
  });

  it("gives `/` the dashboard and the calendar read at one version, both from the cache, the new snapshot right after a publish", async () => {
    const query = { sort: 'lifetime_value', dir: 'desc', page: 1 } as const;
    const page = await cachedAnswers().dashboardPage(query);
    expect(page.dashboard).toBe(await cachedAnswers().dashboard(query));
    expect(page.calendar).toBe(await cachedAnswers().calendar());
    const taskId = await publishRun(4);
    const next = await cachedAnswers().dashboardPage(query);
    expect(next.dashboard).not.toBe(page.dashboard);
    expect(next.dashboard.value.kind === 'ready' && next.dashboard.value.data.snapshots[0]?.taskId).toBe(taskId);
    expect(next.calendar).toBe(await cachedAnswers().calendar());
  });

  it('shows a run the engine announces (freshness "refreshing") without a publish', async () => {
    await waitFor('the live hub to listen', async () => liveHub().isListening() || undefined, 10_000);
    const before = await cachedAnswers().dashboard({ sort: 'lifetime_value', dir: 'desc', page: 1 });
    expect(before.value).toMatchObject({ data: { freshness: { state: 'fresh' } } });
    const running = await publishRun(0, 'running');
    await testDb.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, running]);
    await waitFor('the dashboard to show the running task', async () => {
      const answer = await cachedAnswers().dashboard({ sort: 'lifetime_value', dir: 'desc', page: 1 });
      return answer.value.kind === 'ready' && answer.value.data.freshness.state === 'refreshing' ? answer : undefined;
    }, 10_000);
  });
});

describe('cached delivery calendar', () => {
  const range = () => `/api/calendar?from=${yesterday()}&to=${yesterday()}`;
  const dayOf = (text: string) => JSON.parse(text) as { days: { snapshotId: number | null; window: { start: string; end: string } }[] };

  it('answers 304 while nothing changed, and the very next request after a publish shows the new snapshot', async () => {
    const first = await get(range(), viewer.bearer);
    expect(first.status).toBe(200);
    expect(await get(range(), { ...viewer.bearer, 'if-none-match': first.etag ?? '' })).toEqual({ status: 304, etag: first.etag, text: '' });
    expect((await get(range(), { 'if-none-match': first.etag ?? '' })).status).toBe(401);

    // A day already delivered keeps its first delivery; a fresh range's first publish is what the calendar shows.
    await testDb.pool.query(`DELETE FROM analytics.dashboard_snapshots`);
    const emptied = await get(range(), { ...viewer.bearer, 'if-none-match': first.etag ?? '' });
    expect(emptied.status).toBe(200);
    expect(dayOf(emptied.text).days[0]?.snapshotId).toBeNull();
    const taskId = await publishRun(2);
    const published = await get(range(), { ...viewer.bearer, 'if-none-match': emptied.etag ?? '' });
    expect(published.status).toBe(200);
    expect(dayOf(published.text).days[0]?.snapshotId).toBe(snapshotIds.get(taskId));
  });

  it('follows an edit of the default schedule (its window) on the next request', async () => {
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' });
    const before = await get(range(), viewer.bearer);
    expect(dayOf(before.text).days[0]?.window).toEqual({ start: yesterday(), end: yesterday() });
    const weekly = { date_range: { start_date: '{{days_ago:7}}', end_date: '{{yesterday}}' } };
    await testDb.pool.query(`UPDATE schedules SET input_template = $1 WHERE name = 'customer_analytics_daily'`, [JSON.stringify(weekly)]);
    const after = await get(range(), { ...viewer.bearer, 'if-none-match': before.etag ?? '' });
    expect(after.status).toBe(200);
    const sixDaysBefore = new Date(Date.parse(`${yesterday()}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    expect(dayOf(after.text).days[0]?.window).toEqual({ start: sixDaysBefore, end: yesterday() });
  });
});
