/**
 * The delivery definition end to end against real PostgreSQL, with fixed clocks: a scheduled run, manual rescues
 * before and after the deadline, a backfill, a multi-day analysis window and a cancelled backfill are each
 * classified as specified, and every read model — the dashboard's default view and picker, the status history,
 * incidents and on-time %, the runs list — agrees. Then the data-quality gate (held for review, publish anyway,
 * discard, make default view, with their alert and audit entries), and a fresh install's status page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { loadDashboard, dashboardQuerySchema } from '@/lib/dashboard/read-model';
import { ensureDefaultSchedule } from '@/lib/scheduling/schedules';
import { loadPublicStatus } from '@/lib/status';
import { publishDashboard } from '@/lib/pipelines/customer-analytics/steps/update-dashboard';
import { classifyRun, type DeliveryPolicy } from './definition';
import { readDeliveryPolicy } from './policy';
import { discardHeldSnapshot, makeDefaultView, publishHeldSnapshot, publishRunSnapshot } from './publish';
import { readRunDeliveries } from './runs';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

const POLICY: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2026-03-01T12:00:00Z') };
const ROUTING = { linkBaseUrl: 'https://nightshift.example' };
const ACTOR = { actorId: null, actorLabel: 'sam@example.test' };

async function insertRun(
  testDb: TestDatabase,
  run: { start: string; end: string; createdAt: string; status: string; completedAt?: string; steps?: [name: string, status: string, description?: string][] },
): Promise<string> {
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, completed_at)
     VALUES ('data_pipeline', 'customer_analytics', '1.0.0', $1::task_status, $2, 'test', $3, $4) RETURNING id`,
    [run.status, JSON.stringify({ date_range: { start_date: run.start, end_date: run.end } }), run.createdAt, run.completedAt ?? null],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('no task id');
  for (const [position, [name, status, description]] of (run.steps ?? []).entries()) {
    await testDb.pool.query(
      `INSERT INTO steps (pipeline, task_created_at, task_id, name, description, position, status, retryable, retry_limit)
       VALUES ('fixture/history@1', now(), $1, $2, $3, $4, $5::step_status, true, 3)`,
      [id, name, description ?? null, position, status],
    );
  }
  return id;
}

/** What update_dashboard reads: a KPI insight with orders and one customer with metrics. */
async function insertOutput(testDb: TestDatabase, taskId: string, orders = 12): Promise<void> {
  const kpis = { orders: { current: orders, previous: null, change_percent: null }, revenue: { current: orders * 10, previous: null, change_percent: null } };
  await testDb.pool.query(`INSERT INTO analytics.insights (task_id, position, kind, sentence, data) VALUES ($1, 0, 'kpis', 'Revenue.', $2)`, [
    taskId, JSON.stringify(kpis),
  ]);
  await testDb.pool.query(
    `INSERT INTO analytics.customer_metrics (task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
       order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at)
     VALUES ($1, 1, 'c1@example.test', 120, 10, 12, 1, 0, 'VIP', now(), now())`,
    [taskId],
  );
}

/** A run that completed and published its window at `publishedAt` (through the real publish path). */
async function deliveredRun(testDb: TestDatabase, run: { start: string; end: string; createdAt: string; publishedAt: string }) {
  const taskId = await insertRun(testDb, { ...run, status: 'completed', completedAt: run.publishedAt });
  await insertOutput(testDb, taskId);
  const outcome = await publishDashboard(testDb.pool, { taskId, startDate: run.start, endDate: run.end }, { policy: POLICY, at: new Date(run.publishedAt) });
  return { taskId, outcome };
}

const dashboardQuery = (snapshot?: number) => dashboardQuerySchema.parse(snapshot === undefined ? {} : { snapshot: String(snapshot) });

describe('the daily delivery, defined once', () => {
  let testDb: TestDatabase;
  const ids: Record<string, string> = {};
  const NOW = new Date('2026-03-08T13:00:00Z');

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('classifies runs by window and publish day', () => {
    const at = (iso: string) => new Date(iso);
    expect(classifyRun({ start: '2026-03-04', end: '2026-03-04' }, at('2026-03-05T02:00:00Z'), POLICY)).toBe('delivery');
    expect(classifyRun({ start: '2026-03-04', end: '2026-03-04' }, at('2026-03-05T23:59:00Z'), POLICY)).toBe('delivery');
    expect(classifyRun({ start: '2026-03-04', end: '2026-03-04' }, at('2026-03-06T00:01:00Z'), POLICY)).toBe('backfill');
    expect(classifyRun({ start: '2026-03-01', end: '2026-03-04' }, at('2026-03-05T02:00:00Z'), POLICY)).toBe('ad_hoc');
    expect(classifyRun({ start: '2026-03-05', end: '2026-03-05' }, at('2026-03-05T02:00:00Z'), POLICY)).toBe('ad_hoc');
    // A schedule with a 7-day window makes its 7-day windows the deliveries.
    expect(classifyRun({ start: '2026-02-26', end: '2026-03-04' }, at('2026-03-05T02:00:00Z'), { ...POLICY, windowDays: 7 })).toBe('delivery');
    // Days are counted in the delivery time zone: 23:30 UTC on 4 March is already 5 March in Berlin.
    expect(classifyRun({ start: '2026-03-04', end: '2026-03-04' }, at('2026-03-04T23:30:00Z'), { ...POLICY, timeZone: 'Europe/Berlin' })).toBe('delivery');
  });

  it('seeds a week: scheduled runs, rescues before and after the deadline, a backfill, an analysis window, a cancelled backfill', async () => {
    ids.scheduled5 = (await deliveredRun(testDb, { start: '2026-03-04', end: '2026-03-04', createdAt: '2026-03-05T01:00:00Z', publishedAt: '2026-03-05T02:00:00Z' })).taskId;
    // 6 March: the scheduled run fails; a manual rescue with exactly that window publishes before the deadline.
    ids.failed6 = await insertRun(testDb, { start: '2026-03-05', end: '2026-03-05', createdAt: '2026-03-06T01:00:00Z', status: 'failed', completedAt: '2026-03-06T02:00:00Z' });
    ids.rescue6 = (await deliveredRun(testDb, { start: '2026-03-05', end: '2026-03-05', createdAt: '2026-03-06T05:00:00Z', publishedAt: '2026-03-06T06:00:00Z' })).taskId;
    // 7 March: the same, but the rescue publishes after the deadline.
    ids.failed7 = await insertRun(testDb, { start: '2026-03-06', end: '2026-03-06', createdAt: '2026-03-07T01:00:00Z', status: 'failed', completedAt: '2026-03-07T02:00:00Z' });
    ids.rescue7 = (await deliveredRun(testDb, { start: '2026-03-06', end: '2026-03-06', createdAt: '2026-03-07T08:00:00Z', publishedAt: '2026-03-07T09:00:00Z' })).taskId;
    // 8 March: on time; then a backfill of 2 March, a 7-day analysis window and a cancelled backfill of 3 March.
    ids.scheduled8 = (await deliveredRun(testDb, { start: '2026-03-07', end: '2026-03-07', createdAt: '2026-03-08T01:00:00Z', publishedAt: '2026-03-08T02:00:00Z' })).taskId;
    const backfill = await deliveredRun(testDb, { start: '2026-03-02', end: '2026-03-02', createdAt: '2026-03-08T10:00:00Z', publishedAt: '2026-03-08T10:30:00Z' });
    ids.backfill = backfill.taskId;
    expect(backfill.outcome).toMatchObject({ state: 'published', kind: 'backfill', default_view: false });
    const analysis = await deliveredRun(testDb, { start: '2026-03-01', end: '2026-03-07', createdAt: '2026-03-08T11:00:00Z', publishedAt: '2026-03-08T11:30:00Z' });
    ids.analysis = analysis.taskId;
    expect(analysis.outcome).toMatchObject({ state: 'published', kind: 'ad_hoc', default_view: false });
    ids.cancelled = await insertRun(testDb, { start: '2026-03-03', end: '2026-03-03', createdAt: '2026-03-08T12:00:00Z', status: 'cancelled', completedAt: '2026-03-08T12:10:00Z' });
  });

  it('gives every run its kind in the runs list', async () => {
    const tasks = await testDb.pool.query<{ id: string; namespace: string; name: string; context: unknown; createdAt: Date }>(
      `SELECT id, namespace, name, context, created_at AS "createdAt" FROM tasks`,
    );
    const deliveries = await readRunDeliveries(testDb.pool, tasks.rows, POLICY);
    const kindOf = (id: string | undefined) => (id ? deliveries.get(id)?.kind : undefined);
    expect({
      scheduled5: kindOf(ids.scheduled5), failed6: kindOf(ids.failed6), rescue6: kindOf(ids.rescue6), failed7: kindOf(ids.failed7),
      rescue7: kindOf(ids.rescue7), scheduled8: kindOf(ids.scheduled8), backfill: kindOf(ids.backfill), analysis: kindOf(ids.analysis),
      cancelled: kindOf(ids.cancelled),
    }).toEqual({
      scheduled5: 'delivery', failed6: 'delivery', rescue6: 'delivery', failed7: 'delivery', rescue7: 'delivery', scheduled8: 'delivery',
      backfill: 'backfill', analysis: 'ad_hoc', cancelled: 'backfill',
    });
    expect(deliveries.get(ids.backfill ?? '')?.outcome).toBe('published');
    expect(deliveries.get(ids.cancelled ?? '')?.outcome).toBeNull();
  });

  it('shows the latest delivery as the default view, with the others in the picker, labelled', async () => {
    const load = await loadDashboard(testDb.pool, dashboardQuery(), NOW, POLICY);
    if (load.kind !== 'ready') throw new Error(`expected a snapshot, got ${load.kind}`);
    expect(load.data.snapshot).toMatchObject({ taskId: ids.scheduled8, kind: 'delivery', isCurrent: true, windowEnd: '2026-03-07' });
    expect(load.data.freshness.state).toBe('fresh');
    const picker = Object.fromEntries(load.data.snapshots.map((snapshot) => [snapshot.taskId, snapshot.kind]));
    expect(picker[ids.backfill ?? '']).toBe('backfill');
    expect(picker[ids.analysis ?? '']).toBe('ad_hoc');
    const backfillId = load.data.snapshots.find((snapshot) => snapshot.taskId === ids.backfill)?.id;
    const picked = await loadDashboard(testDb.pool, dashboardQuery(backfillId), NOW, POLICY);
    if (picked.kind !== 'ready') throw new Error('expected the backfill');
    expect(picked.data.freshness.state).toBe('history');
    expect(picked.data.defaultSnapshotId).toBe(load.data.snapshot.id);
  });

  it('derives the status history, incidents and on-time % from deliveries only', async () => {
    const status = await loadPublicStatus(testDb.pool, NOW, POLICY);
    const outcomes = Object.fromEntries(status.history.slice(-8).map((day) => [day.date, day.outcome]));
    expect(outcomes).toEqual({
      '2026-03-01': 'not_tracked',
      '2026-03-02': 'no_run',
      '2026-03-03': 'no_run',
      // The cancelled backfill of 3 March was not the delivery of 4 March: no failure there.
      '2026-03-04': 'no_run',
      '2026-03-05': 'on_time',
      '2026-03-06': 'on_time',
      '2026-03-07': 'late',
      '2026-03-08': 'on_time',
    });
    expect(status.history.slice(0, -7).every((day) => day.outcome === 'not_tracked')).toBe(true);
    expect(status.on_time.last_30_days).toEqual({ numerator: 3, denominator: 4, percent: 75 });
    expect(status.incidents).toEqual([
      { date: '2026-03-07', kind: 'late', started_at: '2026-03-07T07:00:00.000Z', resolved_at: '2026-03-07T09:00:00.000Z', duration_ms: 2 * 3_600_000 },
    ]);
    expect(status.last_delivery).toEqual({ published_at: '2026-03-08T02:00:00.000Z', window_end: '2026-03-07', on_time: true });
    expect(status.overall.state).toBe('operational');
  });

  it('holds a snapshot whose upstream step was resolved by hand, and publishes it only when an operator says so', async () => {
    const before = await testDb.pool.query<{ task_id: string }>('SELECT task_id FROM analytics.dashboard_snapshots WHERE is_current');
    const taskId = await insertRun(testDb, {
      start: '2026-03-08', end: '2026-03-08', createdAt: '2026-03-09T01:00:00Z', status: 'completed', completedAt: '2026-03-09T03:00:00Z',
      steps: [['extract_users', 'resolved_manually', 'Extract user data from CRM system'], ['update_dashboard', 'completed']],
    });
    await insertOutput(testDb, taskId);
    const held = await publishDashboard(testDb.pool, { taskId, startDate: '2026-03-08', endDate: '2026-03-08' }, { policy: POLICY, at: new Date('2026-03-09T03:00:00Z') });
    expect(held).toMatchObject({ state: 'held', kind: 'delivery', default_view: false });
    expect(held.hold_reasons).toEqual([
      { code: 'manual_resolution', message: 'extract_users was resolved manually, so its data is missing (extract user data from CRM system).' },
    ]);
    expect((await testDb.pool.query('SELECT task_id FROM analytics.dashboard_snapshots WHERE is_current')).rows).toEqual(before.rows);
    const alerts = await testDb.pool.query<{ severity: string; title: string; status: string }>(`SELECT severity, title, status FROM alerts WHERE task_id = $1`, [taskId]);
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]).toMatchObject({ severity: 'high', status: 'open' });
    expect(alerts.rows[0]?.title).toContain('extract_users was resolved manually');
    // Held: 9 March's delivery is late while it waits (it is still 9 March).
    const waiting = await loadPublicStatus(testDb.pool, new Date('2026-03-09T08:00:00Z'), POLICY);
    expect(waiting.history.at(-1)).toMatchObject({ date: '2026-03-09', outcome: 'late' });

    await expect(publishHeldSnapshot(testDb.pool, { taskId, reason: '  ', actor: ACTOR, policy: POLICY, routing: ROUTING })).rejects.toThrow(/reason/);
    const published = await publishHeldSnapshot(testDb.pool, {
      taskId, reason: 'CRM counts checked by hand', actor: ACTOR, policy: POLICY, routing: ROUTING, at: new Date('2026-03-09T09:00:00Z'),
    });
    expect(published).toMatchObject({ state: 'published', kind: 'delivery', isDefaultView: true });
    await expect(publishHeldSnapshot(testDb.pool, { taskId, reason: 'again', actor: ACTOR, policy: POLICY, routing: ROUTING })).rejects.toThrow(/not held/);
    const audit = await testDb.pool.query<{ action: string; actor_label: string }>(`SELECT action, actor_label FROM audit_log WHERE target = $1`, [`task:${taskId}`]);
    expect(audit.rows).toEqual([{ action: 'snapshot.publish_anyway', actor_label: ACTOR.actorLabel }]);
    expect((await testDb.pool.query<{ status: string }>(`SELECT status FROM alerts WHERE task_id = $1`, [taskId])).rows).toEqual([{ status: 'resolved' }]);
    const after = await loadPublicStatus(testDb.pool, new Date('2026-03-09T10:00:00Z'), POLICY);
    expect(after.history.at(-1)).toMatchObject({ date: '2026-03-09', outcome: 'late', delivered_at: '2026-03-09T09:00:00.000Z' });
  });

  it('discards a held empty window and lets an operator make a backfill the default view', async () => {
    const empty = await insertRun(testDb, { start: '2026-03-09', end: '2026-03-09', createdAt: '2026-03-10T01:00:00Z', status: 'completed' });
    await insertOutput(testDb, empty, 0);
    const held = await publishDashboard(testDb.pool, { taskId: empty, startDate: '2026-03-09', endDate: '2026-03-09' }, { policy: POLICY, at: new Date('2026-03-10T02:00:00Z') });
    expect(held.hold_reasons.map((reason) => reason.code)).toEqual(['no_orders']);
    await discardHeldSnapshot(testDb.pool, { taskId: empty, reason: 'the orders database was empty', actor: ACTOR, routing: ROUTING });
    const discarded = await testDb.pool.query<{ state: string; is_current: boolean }>(`SELECT state, is_current FROM analytics.dashboard_snapshots WHERE task_id = $1`, [empty]);
    expect(discarded.rows).toEqual([{ state: 'discarded', is_current: false }]);

    const backfill = await testDb.pool.query<{ id: number }>(`SELECT id FROM analytics.dashboard_snapshots WHERE task_id = $1`, [ids.backfill]);
    const snapshotId = backfill.rows[0]?.id ?? 0;
    await makeDefaultView(testDb.pool, { snapshotId, reason: 'the board asked for 2 March', actor: ACTOR });
    const current = await testDb.pool.query<{ task_id: string }>('SELECT task_id FROM analytics.dashboard_snapshots WHERE is_current');
    expect(current.rows).toEqual([{ task_id: ids.backfill }]);
    const audit = await testDb.pool.query<{ action: string; details: { reason: string } }>(`SELECT action, details FROM audit_log WHERE target = $1`, [`snapshot:${snapshotId}`]);
    expect(audit.rows).toMatchObject([{ action: 'snapshot.make_default', details: { reason: 'the board asked for 2 March' } }]);
    // A discarded or held snapshot cannot be promoted.
    const discardedId = (await testDb.pool.query<{ id: number }>(`SELECT id FROM analytics.dashboard_snapshots WHERE task_id = $1`, [empty])).rows[0]?.id ?? 0;
    await expect(makeDefaultView(testDb.pool, { snapshotId: discardedId, reason: 'no', actor: ACTOR })).rejects.toThrow(/only a published/);
    // The next delivery takes the default view back.
    const next = await deliveredRun(testDb, { start: '2026-03-10', end: '2026-03-10', createdAt: '2026-03-11T01:00:00Z', publishedAt: '2026-03-11T02:00:00Z' });
    expect(next.outcome.default_view).toBe(true);
  });
});

describe('a fresh install', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('awaits its first delivery, and a backfill of a day before the install changes nothing', async () => {
    const now = new Date();
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' }, now);
    const policy = await readDeliveryPolicy(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' });
    expect(policy.trackingSince).not.toBeNull();
    expect(policy.windowDays).toBe(1);
    const fresh = await loadPublicStatus(testDb.pool, now, policy);
    expect(fresh.overall.state).toBe('awaiting');
    expect(fresh.history.every((day) => day.outcome === 'not_tracked')).toBe(true);
    expect(fresh.incidents).toEqual([]);

    const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const taskId = await insertRun(testDb, { start: day(-10), end: day(-10), createdAt: now.toISOString(), status: 'completed' });
    await insertOutput(testDb, taskId);
    const outcome = await publishRunSnapshot(testDb.pool, {
      taskId, window: { start: day(-10), end: day(-10) }, summary: {}, holdReasons: [], policy, routing: ROUTING,
    });
    expect(outcome).toMatchObject({ kind: 'backfill', isDefaultView: false });
    const after = await loadPublicStatus(testDb.pool, new Date(), policy);
    expect(after.overall.state).toBe('awaiting');
    expect(after.incidents).toEqual([]);
    expect(after.on_time.last_90_days).toEqual(fresh.on_time.last_90_days);
    expect(after.last_delivery).toBeNull();
  });
});
