/**
 * Two schedulers — each with its own connection pool, as two processes would have —
 * share a simulated clock that crosses 01:00 (Europe/Berlin); the default customer_analytics schedule then
 * yields exactly one task, for yesterday's window. After a simulated 3-day outage, the newest day is launched first,
 * then the missed ones oldest first; after a longer one, only the last 3 days (CATCH_UP_MAX_AGE_DAYS) are, and the
 * older ones are recorded as skipped, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPool, type DbHandle } from '@/db/client';
import { createRegistry, definePipeline, type Logger } from '@/lib/engine';
import { buildRegistry } from '@/lib/runtime/registry';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { firingsBetween } from './cron';
import { renderInputTemplate } from './input-template';
import { createScheduler, firingIdempotencyKey, type Scheduler } from './scheduler';
import { createSchedule, ensureDefaultSchedule, listSchedules, setSchedulePaused } from './schedules';
import { instantOf, localDateOf, nextLocalTime } from '@/lib/time/zoned-time';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const ZONE = 'Europe/Berlin';
const berlin = (date: string, time: string) => instantOf(date, time, ZONE);

describe('zoned time and templates', () => {
  it('reads wall-clock times in the schedule zone, across daylight saving time', () => {
    expect(berlin('2025-03-10', '01:00').toISOString()).toBe('2025-03-10T00:00:00.000Z');
    expect(berlin('2025-07-10', '01:00').toISOString()).toBe('2025-07-09T23:00:00.000Z');
    // 02:30 does not exist on 2025-03-30 in Berlin (clocks jump from 02:00 to 03:00): one hour later.
    expect(berlin('2025-03-30', '02:30').toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(localDateOf(new Date('2025-03-09T23:30:00Z'), ZONE)).toBe('2025-03-10');
    expect(nextLocalTime(berlin('2025-03-10', '01:00'), '07:00', ZONE).toISOString()).toBe('2025-03-10T06:00:00.000Z');
    // A deadline earlier in the day than the firing belongs to the next day.
    expect(nextLocalTime(berlin('2025-03-10', '08:00'), '07:00', ZONE).toISOString()).toBe('2025-03-11T06:00:00.000Z');
    expect(firingsBetween('0 1 * * *', ZONE, berlin('2025-03-29', '12:00'), berlin('2025-04-01', '12:00')).map((d) => d.toISOString())).toEqual([
      '2025-03-30T00:00:00.000Z',
      '2025-03-30T23:00:00.000Z',
      '2025-03-31T23:00:00.000Z',
    ]);
  });

  it('renders "yesterday" from the firing day in the schedule zone', () => {
    // 00:30 UTC on the 10th is 01:30 in Berlin: yesterday is the 9th there (and in UTC it would be too).
    expect(renderInputTemplate(customerAnalyticsDelivery.schedule.inputTemplate, new Date('2025-03-09T23:30:00Z'), ZONE)).toEqual({
      date_range: { start_date: '2025-03-09', end_date: '2025-03-09' },
    });
    expect(renderInputTemplate({ a: ['{{days_ago:7}}', 'x', 3], b: '{{today}} is kept when not alone' }, new Date('2025-03-10T12:00:00Z'), 'UTC')).toEqual({
      a: ['2025-03-03', 'x', 3],
      b: '{{today}} is kept when not alone',
    });
  });
});

describe('scheduler with a simulated clock', () => {
  let testDb: TestDatabase;
  let otherProcess: DbHandle;
  let clock = berlin('2025-03-10', '00:30');
  let first: Scheduler;
  let second: Scheduler;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    otherProcess = createPool(testDb.url, { max: 4, applicationName: 'nightshift-test-second-scheduler' });
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: ZONE, deadline: '07:00' }, clock);
    // Idempotent: a second process creating the default finds it there.
    await ensureDefaultSchedule(otherProcess.pool, customerAnalyticsDelivery, { timeZone: ZONE, deadline: '07:00' }, clock);
    const options = { logger: quiet, now: () => clock, catchUpMaxAgeDays: 3, tickMs: 60_000, linkBaseUrl: 'https://nightshift.example' };
    first = createScheduler({ ...options, db: testDb, registry: buildRegistry() });
    second = createScheduler({ ...options, db: otherProcess, registry: buildRegistry() });
  });

  afterAll(async () => {
    await otherProcess?.close();
    await testDb?.drop();
  });

  const scheduledTasks = async () =>
    (
      await testDb.pool.query<{ id: string; window: string; key: string; initiator: string }>(
        `SELECT id, context->'date_range'->>'start_date' || '..' || (context->'date_range'->>'end_date') AS window,
                idempotency_key AS key, initiator
           FROM tasks ORDER BY created_at, id`,
      )
    ).rows;

  it('two schedulers crossing 01:00 create one task for yesterday', async () => {
    const schedules = await listSchedules(testDb.pool, clock);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ name: customerAnalyticsDelivery.schedule.name, cronExpression: '0 1 * * *', timeZone: ZONE, deadlineLocalTime: '07:00', paused: false });
    expect(schedules[0]?.nextFiringAt?.toISOString()).toBe('2025-03-10T00:00:00.000Z');

    for (const time of ['00:30', '00:59', '01:00', '01:00', '01:01', '01:15']) {
      clock = berlin('2025-03-10', time);
      await Promise.all([first.tick(), second.tick()]);
    }
    const tasks = await scheduledTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      window: '2025-03-09..2025-03-09',
      key: firingIdempotencyKey(customerAnalyticsDelivery.schedule.name, berlin('2025-03-10', '01:00')),
      initiator: `schedule:${customerAnalyticsDelivery.schedule.name}`,
    });
    const firings = await testDb.pool.query<{ taskId: string; deadlineAt: Date }>(`SELECT task_id AS "taskId", deadline_at AS "deadlineAt" FROM schedule_firings`);
    expect(firings.rows).toEqual([{ taskId: tasks[0]?.id, deadlineAt: berlin('2025-03-10', '07:00') }]);
  });

  it('after a 3-day outage, the newest day is launched first, then the missed days oldest first', async () => {
    clock = berlin('2025-03-13', '01:30');
    const fired = await second.tick();
    expect(fired.map((firing) => localDateOf(firing.scheduledFor, ZONE))).toEqual(['2025-03-13', '2025-03-11', '2025-03-12']);
    // The other process, a moment later, adds nothing.
    expect((await first.tick()).length).toBe(0);
    const windows = (await scheduledTasks()).map((task) => task.window);
    expect(windows).toEqual(['2025-03-09..2025-03-09', '2025-03-12..2025-03-12', '2025-03-10..2025-03-10', '2025-03-11..2025-03-11']);
  });

  it('catches up at most the last 3 days after a longer outage', async () => {
    clock = berlin('2025-03-19', '02:00');
    const fired = await Promise.all([first.tick(), second.tick()]);
    const launched = fired.flat().filter((firing) => firing.created);
    // Two processes share the work, so their firings interleave in any order (oldest-first within one process is
    // shown by the 3-day outage test above); what matters here is which days ran.
    expect(launched.map((firing) => localDateOf(firing.scheduledFor, ZONE)).sort()).toEqual(['2025-03-17', '2025-03-18', '2025-03-19']);
    const windows = (await scheduledTasks()).map((task) => task.window);
    expect(windows.slice(4).sort()).toEqual(['2025-03-16..2025-03-16', '2025-03-17..2025-03-17', '2025-03-18..2025-03-18']);
    expect(windows).toHaveLength(7);
    // The firings of the 14th to the 16th were more than 3 days old: skipped, once, with the reason.
    const skipped = await testDb.pool.query<{ scheduledFor: Date; reason: string }>(
      `SELECT scheduled_for AS "scheduledFor", reason FROM schedule_skipped_firings ORDER BY scheduled_for`,
    );
    expect(skipped.rows.map((row) => localDateOf(row.scheduledFor, ZONE))).toEqual(['2025-03-14', '2025-03-15', '2025-03-16']);
    for (const row of skipped.rows) expect(row.reason).toMatch(/^too late to matter: more than 3 days old when the scheduler caught up at .* \(CATCH_UP_MAX_AGE_DAYS\)$/);
  });

  it('a paused schedule fires nothing (pausing is audited)', async () => {
    const [schedule] = await listSchedules(testDb.pool, clock);
    await setSchedulePaused(testDb.pool, schedule?.id ?? '', true, { actorId: null, actorLabel: 'operator@test' });
    clock = berlin('2025-03-20', '01:05');
    expect(await first.tick()).toEqual([]);
    expect(await scheduledTasks()).toHaveLength(7);
    const audit = await testDb.pool.query<{ action: string; target: string }>(`SELECT action, target FROM audit_log WHERE action LIKE 'schedule.%'`);
    expect(audit.rows).toEqual([{ action: 'schedule.pause', target: `schedule:${customerAnalyticsDelivery.schedule.name}` }]);
  });
});

describe('a catch-up firing that cannot launch', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('is recorded as skipped with the launch error, not lost, after the newest firing ran', async () => {
    // The pipeline refuses the 11th's input, so that day's firing fails at launch; the others launch.
    const registry = createRegistry();
    registry.register(
      definePipeline({
        namespace: 'test',
        name: 'picky',
        version: '1',
        description: 'refuses one day',
        input: z.object({ day: z.iso.date().refine((day) => day !== '2025-03-11', 'the 11th is refused') }),
        steps: [{ name: 'work', handler: async () => ({ done: true }) }],
      }),
    );
    await createSchedule(testDb.pool, {
      name: 'picky_daily',
      namespace: 'test',
      pipelineName: 'picky',
      cronExpression: '0 1 * * *',
      timeZone: 'UTC',
      inputTemplate: { day: '{{yesterday}}' },
      deadlineLocalTime: null,
      activeFrom: new Date('2025-03-10T00:00:00Z'),
    });
    const scheduler = createScheduler({ db: testDb, registry, logger: quiet, now: () => new Date('2025-03-14T02:00:00Z'), catchUpMaxAgeDays: 7, tickMs: 60_000, linkBaseUrl: 'https://nightshift.example' });
    const fired = await scheduler.tick();
    // The firing of the 14th first; then the 10th and the 11th. The 12th's (yesterday = the 11th) fails at launch:
    // it and the 13th after it are recorded as skipped with the error.
    expect(fired.map((firing) => firing.scheduledFor.toISOString().slice(0, 10))).toEqual(['2025-03-14', '2025-03-10', '2025-03-11']);
    const skipped = await testDb.pool.query<{ scheduledFor: Date; reason: string }>(`SELECT scheduled_for AS "scheduledFor", reason FROM schedule_skipped_firings ORDER BY scheduled_for`);
    expect(skipped.rows.map((row) => row.scheduledFor.toISOString().slice(0, 10))).toEqual(['2025-03-12', '2025-03-13']);
    expect(skipped.rows[0]?.reason).toMatch(/^catch-up launch failed: .*the 11th is refused/);
    // The next tick starts after the 14th: nothing is launched twice, nothing is skipped twice.
    expect(await scheduler.tick()).toEqual([]);
  });
});
