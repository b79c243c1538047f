/**
 * The reliability report against seeded engine, snapshot and alert rows in a real PostgreSQL, with a fixed clock.
 * Every expected figure below is counted by hand from the seed (see the comments), not by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';
import { loadReliability } from './load';
import { nearestRank, periodBounds, type ReliabilityReport } from './slo';

const UTC: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2025-06-01T00:00:00Z') };
const PIPELINE = { namespace: customerAnalyticsDelivery.namespace, name: customerAnalyticsDelivery.name };
const NOW = new Date('2026-03-11T12:00:00Z');

interface AttemptSeed {
  outcome: 'completed' | 'failed' | 'timed_out';
  at: string;
  errorClass?: string;
}

async function seedRun(
  testDb: TestDatabase,
  run: { status: string; windowEnd: string; createdAt: string; completedAt?: string; steps: { name: string; status: string; attempts: AttemptSeed[] }[]; name?: string },
): Promise<string> {
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, completed_at)
     VALUES ($1, $2, '1.0.0', $3::task_status, $4, 'test', $5, $6) RETURNING id`,
    [PIPELINE.namespace, run.name ?? PIPELINE.name, run.status, JSON.stringify({ date_range: { start_date: run.windowEnd, end_date: run.windowEnd } }), run.createdAt, run.completedAt ?? null],
  );
  const taskId = rows[0]?.id;
  if (!taskId) throw new Error('no task id');
  for (const [position, step] of run.steps.entries()) {
    const inserted = await testDb.pool.query<{ id: string }>(
      `INSERT INTO steps (pipeline, task_created_at, task_id, name, position, status, retryable, retry_limit)
       VALUES ('fixture/reliability@1', now(), $1, $2, $3, $4::step_status, true, 3) RETURNING id`,
      [taskId, step.name, position, step.status],
    );
    for (const [index, attempt] of step.attempts.entries()) {
      await testDb.pool.query(
        `INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at, outcome, error_class)
         VALUES ($1, $2, $3, $4, 'worker-1', $5, $5, $5, $6::attempt_outcome, $7)`,
        [taskId, inserted.rows[0]?.id, step.name, index + 1, attempt.at, attempt.outcome, attempt.errorClass ?? null],
      );
    }
  }
  return taskId;
}

async function publish(testDb: TestDatabase, taskId: string, windowEnd: string, publishedAt: string): Promise<void> {
  await testDb.pool.query(
    `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, published_at, is_current, summary)
     VALUES ($1, $2, $2, $3, false, '{}')`,
    [taskId, windowEnd, publishedAt],
  );
}

async function raisePage(testDb: TestDatabase, alert: { severity: string; taskName: string; createdAt: string; resolvedAt?: string; key: string }): Promise<void> {
  await testDb.pool.query(
    `INSERT INTO alerts (kind, dedup_key, severity, status, title, details, created_at, resolved_at)
     VALUES ('step_failed', $1, $2::alert_severity, $3::alert_status, 'test', $4, $5, $6)`,
    [alert.key, alert.severity, alert.resolvedAt ? 'resolved' : 'open', JSON.stringify({ namespace: PIPELINE.namespace, taskName: alert.taskName }), alert.createdAt, alert.resolvedAt ?? null],
  );
}

const ok = (name: string, at: string) => ({ name, status: 'completed', attempts: [{ outcome: 'completed' as const, at }] });

describe('reliability report', () => {
  let testDb: TestDatabase;
  let report: ReliabilityReport;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // 03-11 (window 03-10): on time at 06:50 (−10 min).
    ids.today = await seedRun(testDb, { status: 'completed', windowEnd: '2026-03-10', createdAt: '2026-03-11T02:00:00Z', completedAt: '2026-03-11T06:50:00Z', steps: [ok('extract_orders', '2026-03-11T02:05:00Z')] });
    await publish(testDb, ids.today, '2026-03-10', '2026-03-11T06:50:00Z');
    // 03-10: on time at 06:30 (−30), after extract_orders timed out once and recovered by itself.
    ids.onTime = await seedRun(testDb, {
      status: 'completed', windowEnd: '2026-03-09', createdAt: '2026-03-10T02:00:00Z', completedAt: '2026-03-10T06:30:00Z',
      steps: [{ name: 'extract_orders', status: 'completed', attempts: [{ outcome: 'timed_out', at: '2026-03-10T02:05:00Z', errorClass: 'TimeoutError' }, { outcome: 'completed', at: '2026-03-10T02:06:00Z' }] }],
    });
    await publish(testDb, ids.onTime, '2026-03-09', '2026-03-10T06:30:00Z');
    // 03-09: late at 07:25 (+25): extract_users failed with HttpError first, then recovered.
    ids.late = await seedRun(testDb, {
      status: 'completed', windowEnd: '2026-03-08', createdAt: '2026-03-09T02:00:00Z', completedAt: '2026-03-09T07:25:00Z',
      steps: [{ name: 'extract_users', status: 'completed', attempts: [{ outcome: 'failed', at: '2026-03-09T02:10:00Z', errorClass: 'HttpError' }, { outcome: 'completed', at: '2026-03-09T02:30:00Z' }] }],
    });
    await publish(testDb, ids.late, '2026-03-08', '2026-03-09T07:25:00Z');
    // 03-08: failed for good (three failed attempts of extract_orders); an operator retried it, to no avail.
    ids.failed = await seedRun(testDb, {
      status: 'failed', windowEnd: '2026-03-07', createdAt: '2026-03-08T02:00:00Z', completedAt: '2026-03-08T03:00:00Z',
      steps: [{ name: 'extract_orders', status: 'failed', attempts: [
        { outcome: 'failed', at: '2026-03-08T02:05:00Z', errorClass: 'ConnectionError' },
        { outcome: 'failed', at: '2026-03-08T02:15:00Z', errorClass: 'ConnectionError' },
        { outcome: 'failed', at: '2026-03-08T02:45:00Z', errorClass: 'ConnectionError' },
      ] }],
    });
    await testDb.pool.query(
      `INSERT INTO task_operations (task_id, operation, step_name, actor, reason, affected_steps, created_at)
       VALUES ($1, 'retry_step', 'extract_orders', 'ops@example.com', 'db back', '{extract_orders}', '2026-03-08T02:40:00Z')`,
      [ids.failed],
    );
    // A backfill of 03-01 created on 03-10 that failed: a run of the pipeline, never a delivery day.
    ids.backfill = await seedRun(testDb, {
      status: 'failed', windowEnd: '2026-03-01', createdAt: '2026-03-10T10:00:00Z', completedAt: '2026-03-10T10:05:00Z',
      steps: [{ name: 'extract_orders', status: 'failed', attempts: [{ outcome: 'failed', at: '2026-03-10T10:05:00Z', errorClass: 'ConnectionError' }] }],
    });
    // February: one run, delivered on 02-21 at 06:00 (−60).
    ids.february = await seedRun(testDb, { status: 'completed', windowEnd: '2026-02-20', createdAt: '2026-02-21T02:00:00Z', completedAt: '2026-02-21T06:00:00Z', steps: [ok('extract_orders', '2026-02-21T02:05:00Z')] });
    await publish(testDb, ids.february, '2026-02-20', '2026-02-21T06:00:00Z');
    // Pages: a critical alert of this pipeline resolved after 90 minutes; a high one (Slack, not a page); a critical
    // one of another pipeline.
    await raisePage(testDb, { key: 'a', severity: 'critical', taskName: PIPELINE.name, createdAt: '2026-03-08T03:00:00Z', resolvedAt: '2026-03-08T04:30:00Z' });
    await raisePage(testDb, { key: 'b', severity: 'high', taskName: PIPELINE.name, createdAt: '2026-03-09T07:00:00Z' });
    await raisePage(testDb, { key: 'c', severity: 'critical', taskName: 'customer_retention', createdAt: '2026-03-09T07:00:00Z' });
    report = await loadReliability(testDb.pool, { pipeline: PIPELINE, delivery: UTC, timeZone: 'UTC' }, NOW, 7);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('counts on-time days over the days due, a day without a run against it', () => {
    // 03-05 … 03-11: on time 03-10 and 03-11; late 03-09; failed 03-08; no run 03-05, 03-06, 03-07.
    expect(report.summary).toMatchObject({ from: '2026-03-05', to: '2026-03-11', days_due: 7 });
    expect(report.summary.on_time).toEqual({ numerator: 2, denominator: 7, percent: 28.6 });
    expect(report.summary.late_days).toEqual(['2026-03-09']);
    expect(report.summary.missed_days).toEqual(['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08']);
  });

  it('gives each late or missed day its cause, and the runs behind every day', () => {
    const day = (date: string) => report.days.find((entry) => entry.date === date);
    expect(report.days.map((entry) => entry.date)).toEqual(['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11']);
    expect(day('2026-03-09')).toMatchObject({
      outcome: 'late', minutes_vs_deadline: 25, run_ids: [ids.late],
      cause: { step: 'extract_users', error_class: 'HttpError', failed_at: '2026-03-09T02:10:00.000Z', run_id: ids.late },
    });
    expect(day('2026-03-08')).toMatchObject({ outcome: 'failed', minutes_vs_deadline: null, cause: { step: 'extract_orders', error_class: 'ConnectionError', failed_at: '2026-03-08T02:05:00.000Z' } });
    expect(day('2026-03-07')).toMatchObject({ outcome: 'no_run', run_ids: [], cause: null, explanation: 'No delivery run was started for this day.' });
    // An on-time day carries no cause even though an attempt failed along the way.
    expect(day('2026-03-10')).toMatchObject({ outcome: 'on_time', minutes_vs_deadline: -30, cause: null, explanation: null });
  });

  it('counts runs, recovery, people and pages of the runs created in the period', () => {
    // Created since 03-05: today, onTime, late, failed, backfill. Failed: failed and backfill.
    expect(report.summary.runs).toEqual({ created: 5, finished: 5, failed: 2, failure_rate: { numerator: 2, denominator: 5, percent: 40 } });
    // Failed attempts: onTime's 1 and late's 1 recovered; failed's 3 and the backfill's 1 did not; all six are known.
    expect(report.summary.automatic_recovery).toEqual({ numerator: 2, denominator: 6, percent: 33.3 });
    expect(report.summary.needed_person).toBe(1);
    // Only the critical alert of this pipeline paged.
    expect(report.summary.pages).toEqual({ sent: 1, resolved: 1, mean_minutes_to_resolve: 90 });
    // Delivered −30, +25, −10 minutes against the deadline: median −10, p95 +25 (nearest rank).
    expect(report.summary.finish_vs_deadline).toEqual({ median_minutes: -10, p95_minutes: 25, days: 3 });
  });

  it('splits the last 90 days into calendar months whose counts add up', () => {
    expect(report.periods.map((period) => period.key)).toEqual(['7d', '30d', '90d', '2026-03', '2026-02', '2026-01', '2025-12']);
    const month = (key: string) => report.periods.find((period) => period.key === key);
    // February: 28 days due, one delivered on time; one run.
    expect(month('2026-02')).toMatchObject({ from: '2026-02-01', to: '2026-02-28', days_due: 28, on_time: { numerator: 1, denominator: 28 } });
    expect(month('2026-02')?.runs.created).toBe(1);
    expect(month('2026-02')?.finish_vs_deadline).toEqual({ median_minutes: -60, p95_minutes: -60, days: 1 });
    expect(month('2026-03')).toMatchObject({ from: '2026-03-01', to: '2026-03-11', days_due: 11, on_time: { numerator: 2, denominator: 11 } });
    expect(month('2026-03')?.runs.created).toBe(5);
    // The 90 days begin on 2025-12-12: December is partial, and labelled so; so is the current month.
    expect(month('2025-12')).toMatchObject({ from: '2025-12-12', to: '2025-12-31', label: 'December 2025 (from Dec 12)' });
    expect(month('2026-03')?.label).toBe('March 2026 (to date)');
    expect(month('2026-02')?.label).toBe('February 2026');
    expect(month('2025-12')?.runs.created).toBe(0);
    const ninety = report.periods.find((period) => period.key === '90d');
    expect(ninety?.runs.created).toBe(6);
    expect(ninety?.days_due).toBe(90);
  });

  it('reports a pipeline without a delivery with run figures only', async () => {
    await seedRun(testDb, { name: 'customer_retention', status: 'completed', windowEnd: '2026-03-10', createdAt: '2026-03-11T03:00:00Z', completedAt: '2026-03-11T03:10:00Z', steps: [ok('cohorts', '2026-03-11T03:05:00Z')] });
    const other = await loadReliability(testDb.pool, { pipeline: { namespace: PIPELINE.namespace, name: 'customer_retention' }, delivery: null, timeZone: 'UTC' }, NOW, 30);
    expect(other).toMatchObject({ delivered: false, deadline: null, days: [] });
    expect(other.summary.on_time).toBeNull();
    expect(other.summary.runs.created).toBe(1);
    expect(other.summary.pages.sent).toBe(1);
  });
});

describe('reliability periods', () => {
  it('uses nearest-rank percentiles', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([5], 0.95)).toBe(5);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank(Array.from({ length: 20 }, (_, index) => index + 1), 0.95)).toBe(19);
  });

  it('names the months of the last 90 days across a year boundary', () => {
    const { summary, periods } = periodBounds('2026-01-15', 30);
    expect(summary).toMatchObject({ key: '30d', from: '2025-12-17', to: '2026-01-15' });
    expect(periods.slice(3).map((period) => [period.key, period.from, period.to])).toEqual([
      ['2026-01', '2026-01-01', '2026-01-15'],
      ['2025-12', '2025-12-01', '2025-12-31'],
      ['2025-11', '2025-11-01', '2025-11-30'],
      ['2025-10', '2025-10-18', '2025-10-31'],
    ]);
  });
});
