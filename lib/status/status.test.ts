/**
 * The public status derivation against seeded engine and snapshot rows in a real PostgreSQL, with a fixed clock:
 * history cells, on-time %, automatic recovery, incidents and every overall state, and that nothing internal leaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { instantOf } from '@/lib/time/zoned-time';
import { loadPublicStatus } from './index';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

// Tracked long before the days under test; fresh installs and tracking start are covered in lib/delivery.
const UTC: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2025-06-01T00:00:00Z') };
const SECRET_ERROR = 'connection to orders-db.internal refused SECRET-7731';
const SECRET_EMAIL = 'ceo@customer.example';

interface StepSeed {
  name: string;
  status: string;
  attempts: { outcome: string; startedAt: string; finishedAt: string }[];
}

async function seedRun(
  testDb: TestDatabase,
  run: { status: string; windowEnd: string; createdAt: string; completedAt?: string; steps: StepSeed[] },
): Promise<string> {
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, completed_at)
     VALUES ('data_pipeline', 'customer_analytics', '1.0.0', $1::task_status, $2, 'test', $3, $4) RETURNING id`,
    [run.status, JSON.stringify({ date_range: { start_date: run.windowEnd, end_date: run.windowEnd } }), run.createdAt, run.completedAt ?? null],
  );
  const taskId = rows[0]?.id;
  if (!taskId) throw new Error('no task id');
  for (const [position, step] of run.steps.entries()) {
    const inserted = await testDb.pool.query<{ id: string }>(
      `INSERT INTO steps (pipeline, task_created_at, task_id, name, position, status, retryable, retry_limit, result, last_error)
       VALUES ('fixture/history@1', now(), $1, $2, $3, $4::step_status, true, 3, $5, $6) RETURNING id`,
      [taskId, step.name, position, step.status, JSON.stringify({ emails: [SECRET_EMAIL] }), JSON.stringify({ message: SECRET_ERROR })],
    );
    for (const [index, attempt] of step.attempts.entries()) {
      await testDb.pool.query(
        `INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at,
           outcome, error_message, error_stack)
         VALUES ($1, $2, $3, $4, 'worker-1', $5, $6, $6, $7::attempt_outcome, $8, $9)`,
        [
          taskId, inserted.rows[0]?.id, step.name, index + 1, attempt.startedAt, attempt.finishedAt, attempt.outcome,
          attempt.outcome === 'completed' ? null : SECRET_ERROR, attempt.outcome === 'completed' ? null : `Error: ${SECRET_ERROR}\n    at extract (/app/x.ts:1:1)`,
        ],
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

const completed = (name: string, at: string): StepSeed => ({ name, status: 'completed', attempts: [{ outcome: 'completed', startedAt: at, finishedAt: at }] });

describe('public status', () => {
  let testDb: TestDatabase;
  let todaysRun: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('is Down with no delivery at all, and today is not due before the deadline', async () => {
    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-11T05:00:00Z'), UTC);
    expect(status.overall.state).toBe('down');
    expect(status.history).toHaveLength(90);
    expect(status.history.at(-1)).toMatchObject({ date: '2026-03-11', outcome: 'pending' });
    expect(status.history.slice(0, -1).every((day) => day.outcome === 'no_run')).toBe(true);
    expect(status.on_time.last_30_days.percent).toBeNull();
    expect(status.automatic_recovery.percent).toBeNull();
    expect(status.today).toMatchObject({ scheduled_start_at: null, eta_at: null, run: null });
    expect(status.last_delivery).toBeNull();
  });

  it('derives cells, rates and incidents from seeded runs and snapshots', async () => {
    // 7 March: on time (published 06:59 for data through 6 March).
    const onTimeEarlier = await seedRun(testDb, {
      status: 'completed', windowEnd: '2026-03-06', createdAt: '2026-03-07T05:00:00Z', completedAt: '2026-03-07T06:59:00Z',
      steps: [completed('extract_orders', '2026-03-07T05:10:00Z')],
    });
    await publish(testDb, onTimeEarlier, '2026-03-06', '2026-03-07T06:59:00Z');
    // 8 March: no run. 9 March: the run for 8 March failed at 06:00 after two failed attempts.
    await seedRun(testDb, {
      status: 'failed', windowEnd: '2026-03-08', createdAt: '2026-03-09T05:00:00Z', completedAt: '2026-03-09T06:00:00Z',
      steps: [{
        name: 'transform_customer_metrics', status: 'failed',
        attempts: [
          { outcome: 'failed', startedAt: '2026-03-09T05:10:00Z', finishedAt: '2026-03-09T05:20:00Z' },
          { outcome: 'failed', startedAt: '2026-03-09T05:30:00Z', finishedAt: '2026-03-09T06:00:00Z' },
        ],
      }],
    });
    // 10 March: late, published 08:30.
    const late = await seedRun(testDb, {
      status: 'completed', windowEnd: '2026-03-09', createdAt: '2026-03-10T07:30:00Z', completedAt: '2026-03-10T08:30:00Z',
      steps: [completed('extract_orders', '2026-03-10T07:40:00Z')],
    });
    await publish(testDb, late, '2026-03-09', '2026-03-10T08:30:00Z');
    // 11 March (today): on time at 05:30; one failure a retry fixed, one that an operator's retry fixed.
    todaysRun = await seedRun(testDb, {
      status: 'completed', windowEnd: '2026-03-10', createdAt: '2026-03-11T04:00:00Z', completedAt: '2026-03-11T05:30:00Z',
      steps: [
        {
          name: 'extract_users', status: 'completed',
          attempts: [
            { outcome: 'failed', startedAt: '2026-03-11T04:01:00Z', finishedAt: '2026-03-11T04:02:00Z' },
            { outcome: 'completed', startedAt: '2026-03-11T04:03:00Z', finishedAt: '2026-03-11T04:10:00Z' },
          ],
        },
        {
          name: 'update_dashboard', status: 'completed',
          attempts: [
            { outcome: 'timed_out', startedAt: '2026-03-11T04:20:00Z', finishedAt: '2026-03-11T04:50:00Z' },
            { outcome: 'completed', startedAt: '2026-03-11T05:20:00Z', finishedAt: '2026-03-11T05:29:00Z' },
          ],
        },
      ],
    });
    await testDb.pool.query(
      `INSERT INTO task_operations (task_id, operation, step_name, actor, affected_steps, created_at)
       VALUES ($1, 'retry_step', 'update_dashboard', $2, ARRAY['update_dashboard'], '2026-03-11T05:15:00Z')`,
      [todaysRun, SECRET_EMAIL],
    );
    await publish(testDb, todaysRun, '2026-03-10', '2026-03-11T05:30:00Z');

    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-11T09:00:00Z'), UTC);
    const outcomes = Object.fromEntries(status.history.slice(-5).map((day) => [day.date, day.outcome]));
    expect(outcomes).toEqual({
      '2026-03-07': 'on_time',
      '2026-03-08': 'no_run',
      '2026-03-09': 'failed',
      '2026-03-10': 'late',
      '2026-03-11': 'on_time',
    });
    expect(status.on_time.last_30_days).toEqual({ numerator: 2, denominator: 4, percent: 50 });
    expect(status.on_time.last_90_days).toEqual({ numerator: 2, denominator: 4, percent: 50 });
    // Four failed attempts with a known fate; only extract_users' was fixed by a retry without an operator.
    expect(status.automatic_recovery).toEqual({ numerator: 1, denominator: 4, percent: 25 });
    expect(status.incidents).toEqual([
      { date: '2026-03-10', kind: 'late', started_at: '2026-03-10T07:00:00.000Z', resolved_at: '2026-03-10T08:30:00.000Z', duration_ms: 90 * 60_000 },
      // The failure at 06:00 is resolved by the next publication, the late delivery at 08:30 the day after.
      { date: '2026-03-09', kind: 'failed', started_at: '2026-03-09T06:00:00.000Z', resolved_at: '2026-03-10T08:30:00.000Z', duration_ms: 26.5 * 3_600_000 },
    ]);
    expect(status.last_delivery).toEqual({ published_at: '2026-03-11T05:30:00.000Z', window_end: '2026-03-10', on_time: true });
    expect(status.today).toMatchObject({ date: '2026-03-11', outcome: 'on_time', run: { status: 'completed', steps_done: 2, steps_total: 2, percent: 100 } });
    // The last run needed an operator's retry.
    expect(status.overall.state).toBe('degraded');

    const serialized = JSON.stringify(status);
    expect(serialized).not.toContain('SECRET');
    expect(serialized).not.toContain('@');
    expect(serialized).not.toContain('at extract');
  });

  it('stays Delayed for the rest of a day whose delivery arrived late', async () => {
    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-10T12:00:00Z'), UTC);
    expect(status.history.at(-1)).toMatchObject({ date: '2026-03-10', outcome: 'late', delivered_at: '2026-03-10T08:30:00.000Z' });
    expect(status.overall).toEqual({ state: 'delayed', reason: "Today's delivery arrived after the deadline." });
  });

  it('is Operational when the last run needed no operator', async () => {
    await testDb.pool.query('DELETE FROM task_operations WHERE task_id = $1', [todaysRun]);
    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-11T09:00:00Z'), UTC);
    expect(status.overall.state).toBe('operational');
    // Without the operator's retry in between, the timed-out dashboard attempt counts as recovered automatically.
    expect(status.automatic_recovery).toEqual({ numerator: 2, denominator: 4, percent: 50 });
  });

  it('is Delayed when today is at risk before the deadline or missing after it', async () => {
    const running = await seedRun(testDb, {
      status: 'running', windowEnd: '2026-03-11', createdAt: '2026-03-12T04:00:00Z',
      steps: [
        completed('extract_orders', '2026-03-12T04:05:00Z'),
        { name: 'extract_users', status: 'pending', attempts: [] },
      ],
    });
    const beforeDeadline = await loadPublicStatus(testDb.pool, new Date('2026-03-12T05:00:00Z'), UTC);
    expect(beforeDeadline.history.at(-1)?.outcome).toBe('pending');
    expect(beforeDeadline.overall.state).toBe('operational');
    expect(beforeDeadline.today.run).toEqual({ status: 'running', steps_done: 1, steps_total: 2, percent: 50 });
    // extract_users has never completed with its times recorded, so any estimate would be a guess: none is shown.
    expect(beforeDeadline.today).toMatchObject({ eta_at: null, expected: null, scheduled_start_at: null });

    // With one past night where extract_users took 40 minutes, and the daily schedule firing at 04:00: today's
    // data is expected at 05:40 when asked at 05:00, and at 07:10 — after the 07:00 deadline — when asked at 06:30.
    await testDb.pool.query(
      `UPDATE steps SET started_at = '2026-03-11T04:03:00Z', completed_at = '2026-03-11T04:43:00Z' WHERE task_id = $1 AND name = 'extract_users'`,
      [todaysRun],
    );
    await testDb.pool.query(
      `INSERT INTO schedules (name, namespace, pipeline_name, cron_expression, time_zone, input_template) VALUES ($1, $2, $3, '0 4 * * *', 'UTC', '{}')`,
      [UTC.pipeline.schedule.name, UTC.pipeline.namespace, UTC.pipeline.name],
    );
    const expected = await loadPublicStatus(testDb.pool, new Date('2026-03-12T05:00:00Z'), UTC);
    expect(expected.today).toMatchObject({
      scheduled_start_at: '2026-03-12T04:00:00.000Z',
      eta_at: '2026-03-12T05:40:00.000Z',
      expected: { eta_at: '2026-03-12T05:40:00.000Z', late: false, text: "Today's data expected by 05:40" },
    });
    const forecastLate = await loadPublicStatus(testDb.pool, new Date('2026-03-12T06:30:00Z'), UTC);
    expect(forecastLate.today.expected).toEqual({ eta_at: '2026-03-12T07:10:00.000Z', late: true, text: 'Late: expected 07:10' });
    await testDb.pool.query(`DELETE FROM schedules`);

    await testDb.pool.query(`UPDATE steps SET status = 'retrying' WHERE task_id = $1 AND name = 'extract_users'`, [running]);
    const atRisk = await loadPublicStatus(testDb.pool, new Date('2026-03-12T05:00:00Z'), UTC);
    expect(atRisk.overall.state).toBe('delayed');

    const afterDeadline = await loadPublicStatus(testDb.pool, new Date('2026-03-12T08:00:00Z'), UTC);
    expect(afterDeadline.history.at(-1)?.outcome).toBe('late');
    expect(afterDeadline.overall.state).toBe('delayed');
    expect(afterDeadline.incidents[0]).toMatchObject({ date: '2026-03-12', kind: 'late', resolved_at: null, duration_ms: null });
  });

  it('is Down when nothing was published in 48 hours', async () => {
    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-13T05:31:00Z'), UTC);
    expect(status.overall.state).toBe('down');
  });

  it('counts days and deadlines in the delivery time zone', async () => {
    const berlin: DeliveryPolicy = { ...UTC, timeZone: 'Europe/Berlin' };
    // 07:00 in Berlin is 06:00 UTC in winter and 05:00 UTC in summer.
    expect(instantOf('2026-03-11', '07:00', 'Europe/Berlin').toISOString()).toBe('2026-03-11T06:00:00.000Z');
    expect(instantOf('2026-07-01', '07:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T05:00:00.000Z');
    const status = await loadPublicStatus(testDb.pool, new Date('2026-03-11T09:00:00Z'), berlin);
    // Published 05:30 UTC = 06:30 Berlin: still on time; the 7 March one (06:59 UTC = 07:59 Berlin) is late there.
    expect(status.history.find((day) => day.date === '2026-03-11')?.outcome).toBe('on_time');
    expect(status.history.find((day) => day.date === '2026-03-07')?.outcome).toBe('late');
  });
});
