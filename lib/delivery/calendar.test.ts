/**
 * The delivery calendar against real PostgreSQL with a fixed clock: each state (on time, late, backfilled, held for
 * review, running, failed, skipped, not due yet, not tracked, missing) from the rows that decide it, and the query's bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { calendarQuerySchema, readDeliveryCalendar } from './calendar';
import type { DeliveryPolicy } from './definition';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

const POLICY: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2026-03-01T12:00:00Z') };
const NOW = new Date('2026-03-10T05:00:00Z');

describe('delivery calendar', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const snapshot = (day: string, kind: string, state: string, at: string) =>
    testDb.pool.query(
      `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, kind, state, published_at, held_at)
       VALUES (gen_random_uuid(), $1, $1, '{}', $2, $3, CASE WHEN $3 = 'published' THEN $4::timestamptz END, CASE WHEN $3 = 'held' THEN $4::timestamptz END)`,
      [day, kind, state, at],
    );

  async function backfillRun(day: string, status: string): Promise<string> {
    const task = await testDb.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator) VALUES ('data_pipeline', 'customer_analytics', '1.0.0', $1::task_status, $2, 'test') RETURNING id`,
      [status, JSON.stringify({ date_range: { start_date: day, end_date: day } })],
    );
    const backfill = await testDb.pool.query<{ id: string }>(
      `INSERT INTO backfills (namespace, pipeline_name, start_date, end_date, max_parallel, reason, requested_by, origin, status)
       VALUES ('data_pipeline', 'customer_analytics', $1, $1, 1, 'test', 'test', 'operator', 'finished') RETURNING id`,
      [day],
    );
    await testDb.pool.query(
      `INSERT INTO backfill_days (backfill_id, day, window_start, window_end, state, task_id, launched_at) VALUES ($1, $2, $2, $2, 'launched', $3, now())`,
      [backfill.rows[0]?.id, day, task.rows[0]?.id],
    );
    return task.rows[0]?.id ?? '';
  }

  it('derives each day from its snapshots and runs', async () => {
    await snapshot('2026-03-01', 'delivery', 'published', '2026-03-02T06:00:00Z');
    await snapshot('2026-03-02', 'delivery', 'published', '2026-03-03T09:00:00Z');
    await snapshot('2026-03-03', 'backfill', 'published', '2026-03-09T10:00:00Z');
    await snapshot('2026-03-04', 'delivery', 'held', '2026-03-05T05:00:00Z');
    const failed = await backfillRun('2026-03-06', 'failed');
    const running = await backfillRun('2026-03-07', 'running');
    // The scheduler skipped the firing of the 9th (for the 8th) as too late to matter, with its reason.
    const skipReason = 'too late to matter: more than 3 days old when the scheduler caught up at 2026-03-13T01:00:00.000Z (CATCH_UP_MAX_AGE_DAYS)';
    await testDb.pool.query(
      `WITH schedule AS (
         INSERT INTO schedules (name, namespace, pipeline_name, cron_expression, time_zone, input_template)
         VALUES ($1, 'data_pipeline', 'customer_analytics', '0 1 * * *', 'UTC', '{}') RETURNING id)
       INSERT INTO schedule_skipped_firings (schedule_id, scheduled_for, reason) SELECT id, '2026-03-09T01:00:00Z', $2 FROM schedule`,
      [customerAnalyticsDelivery.schedule.name, skipReason],
    );
    // A day with a late delivery and a later backfill is still the delivery's: late.
    await snapshot('2026-03-02', 'backfill', 'published', '2026-03-09T11:00:00Z');

    const view = await readDeliveryCalendar(testDb.pool, POLICY, { from: '2026-02-27', to: '2026-03-09' }, NOW);
    expect(view.days.map((day) => [day.day, day.state])).toEqual([
      ['2026-02-27', 'not_tracked'],
      ['2026-02-28', 'not_tracked'],
      ['2026-03-01', 'on_time'],
      ['2026-03-02', 'late'],
      ['2026-03-03', 'backfilled'],
      ['2026-03-04', 'held_for_review'],
      ['2026-03-05', 'missing'],
      ['2026-03-06', 'failed'],
      ['2026-03-07', 'running'],
      ['2026-03-08', 'skipped'],
      ['2026-03-09', 'upcoming'],
    ]);
    const byDay = new Map(view.days.map((day) => [day.day, day]));
    expect(byDay.get('2026-03-03')?.snapshotId).toEqual(expect.any(Number));
    expect(byDay.get('2026-03-04')?.snapshotId).toBeNull();
    expect(byDay.get('2026-03-06')?.taskId).toBe(failed);
    expect(byDay.get('2026-03-07')?.taskId).toBe(running);
    expect(byDay.get('2026-03-08')).toMatchObject({ reason: skipReason, taskId: null });
    expect(view.days.filter((day) => day.reason !== null).map((day) => day.day)).toEqual(['2026-03-08']);
  });

  it('refuses a reversed or too long range', () => {
    expect(calendarQuerySchema.safeParse({ from: '2026-03-02', to: '2026-03-01' }).success).toBe(false);
    expect(calendarQuerySchema.safeParse({ from: '2026-01-01', to: '2026-04-02' }).success).toBe(true);
    expect(calendarQuerySchema.safeParse({ from: '2026-01-01', to: '2026-04-03' }).success).toBe(false);
    expect(calendarQuerySchema.safeParse({ from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
  });
});
