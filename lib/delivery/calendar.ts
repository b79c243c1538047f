/**
 * The delivery calendar: for each data day in a range, what became of its delivery, by the delivery definition.
 * Day X is the day the data describes; its delivery is due on X + 1 and carries the schedule's window ending on X.
 *
 * A day is, first match wins: on time / late (a published delivery, judged against the deadline of X + 1),
 * backfilled (a published backfill or other run of exactly that window), held for review, running (a scheduled
 * or backfill run of it is unfinished), failed (its latest scheduled or backfill run failed), skipped (the
 * scheduler did not run its firing, with the reason: too late to matter after downtime, CATCH_UP_MAX_AGE_DAYS),
 * upcoming (its deadline has not passed), not tracked (before delivery tracking began), else missing.
 *
 * Reads: the snapshot table through its window index, the backfill days through theirs, the default schedule's
 * firings and skipped firings through their slot keys, and the runs' states through the engine's read API — four
 * round trips for any range (at most MAX_CALENDAR_DAYS days).
 */
import type pg from 'pg';
import { z } from 'zod';
import { readTasksFacts, type TaskStatus } from '@/lib/engine';
import { addDays, instantOf, localDateOf } from '@/lib/time/zoned-time';
import { deliveryDeadline } from './clock';
import { readBackfillRunIds } from './backfill-runs';
import { readDeliveryPolicy } from './policy';
import { classifyRun, deliveryDayOf, deliveryWindow, firstTrackedDay, isOnTime, type DeliveredPipeline, type DeliveryKind, type DeliveryPolicy } from './definition';

import type { CalendarDay, CalendarState, CalendarView } from './calendar-types';

export { CALENDAR_STATE_LABELS, CALENDAR_STATES, type CalendarDay, type CalendarState, type CalendarView } from './calendar-types';

export const MAX_CALENDAR_DAYS = 92;

const isoDate = z.iso.date({ message: 'must be a real date in YYYY-MM-DD form' });
export const calendarQuerySchema = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .superRefine((query, ctx) => {
    if (query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
    else if (addDays(query.from, MAX_CALENDAR_DAYS - 1) < query.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_CALENDAR_DAYS} days from from, both included` });
    }
  });
export type CalendarQuery = z.infer<typeof calendarQuerySchema>;


interface SnapshotRow {
  id: number;
  task_id: string;
  window_start: string;
  window_end: string;
  state: 'published' | 'held' | 'discarded';
  kind: DeliveryKind | null;
  published_at: Date | null;
  held_at: Date | null;
}

interface DayRun {
  day: string;
  taskId: string;
  createdAt: Date;
}

const UNFINISHED: ReadonlySet<TaskStatus> = new Set(['pending', 'running']);

export async function readDeliveryCalendar(pool: pg.Pool, policy: DeliveryPolicy, query: CalendarQuery, now: Date = new Date()): Promise<CalendarView> {
  const lead = policy.windowDays - 1;
  const [snapshots, backfillRuns, firings] = await Promise.all([
    pool.query<SnapshotRow>(
      `SELECT id, task_id, window_start::text AS window_start, window_end::text AS window_end, state, kind, published_at, held_at
         FROM analytics.dashboard_snapshots
        WHERE window_start BETWEEN $1::date - $3::int AND $2::date - $3::int AND window_end BETWEEN $1 AND $2 AND state <> 'discarded'`,
      [query.from, query.to, lead],
    ),
    pool.query<{ day: string; taskId: string; createdAt: Date }>(
      `SELECT window_end::text AS day, task_id AS "taskId", launched_at AS "createdAt"
         FROM backfill_days WHERE window_end BETWEEN $1 AND $2 AND task_id IS NOT NULL AND window_start = window_end - $3::int`,
      [query.from, query.to, lead],
    ),
    // The default schedule fires on the delivery day (X + 1), so its firings of the range fall on the days after it.
    // A skipped firing has a reason and no task.
    pool.query<{ scheduledFor: Date; taskId: string | null; reason: string | null }>(
      `SELECT f.scheduled_for AS "scheduledFor", f.task_id AS "taskId", NULL AS reason
         FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id
        WHERE s.name = $1 AND f.scheduled_for >= $2 AND f.scheduled_for < $3
       UNION ALL
       SELECT k.scheduled_for, NULL, k.reason
         FROM schedule_skipped_firings k JOIN schedules s ON s.id = k.schedule_id
        WHERE s.name = $1 AND k.scheduled_for >= $2 AND k.scheduled_for < $3`,
      [
        policy.pipeline.schedule.name,
        instantOf(addDays(query.from, 1), '00:00', policy.timeZone),
        instantOf(addDays(query.to, 2), '00:00', policy.timeZone),
      ],
    ),
  ]);
  const dayOfFiring = (scheduledFor: Date) => deliveryWindow(deliveryDayOf(scheduledFor, policy), policy).end;
  const runs: DayRun[] = [
    ...backfillRuns.rows.map((row) => ({ day: row.day, taskId: row.taskId, createdAt: row.createdAt })),
    ...firings.rows.flatMap((row) => (row.taskId ? [{ day: dayOfFiring(row.scheduledFor), taskId: row.taskId, createdAt: row.scheduledFor }] : [])),
  ];
  const skippedReasons = new Map(firings.rows.flatMap((row) => (row.reason ? [[dayOfFiring(row.scheduledFor), row.reason] as const] : [])));
  const statuses = new Map((await readTasksFacts(pool, runs.map((run) => run.taskId))).map((task) => [task.id, task.status]));
  const fromBackfill = await readBackfillRunIds(pool, snapshots.rows.map((row) => row.task_id));

  const tracked = firstTrackedDay(policy);
  const days: CalendarDay[] = [];
  for (let day = query.from; day <= query.to; day = addDays(day, 1)) {
    const dueOn = addDays(day, 1);
    const window = deliveryWindow(dueOn, policy);
    const mine = snapshots.rows.filter((row) => row.window_end === day && row.window_start === window.start);
    const kindOf = (row: SnapshotRow) =>
      row.kind ?? classifyRun(window, row.published_at ?? row.held_at ?? now, policy, { fromBackfill: fromBackfill.has(row.task_id) });
    const published = mine.filter((row) => row.state === 'published' && row.published_at).sort((a, b) => Number(a.published_at) - Number(b.published_at));
    const delivery = published.find((row) => kindOf(row) === 'delivery');
    const other = published.at(-1);
    const held = mine.find((row) => row.state === 'held');
    const dayRuns = runs.filter((run) => run.day === day).sort((a, b) => Number(a.createdAt) - Number(b.createdAt));
    const running = dayRuns.find((run) => UNFINISHED.has(statuses.get(run.taskId) ?? 'failed'));
    const latest = dayRuns.at(-1);
    const base = { day, window, snapshotId: null, taskId: null, publishedAt: null, reason: null };
    const skippedReason = skippedReasons.get(day);
    const fromSnapshot = (row: SnapshotRow, state: CalendarState): CalendarDay => ({
      ...base,
      state,
      snapshotId: row.state === 'published' ? row.id : null,
      taskId: row.task_id,
      publishedAt: row.published_at?.toISOString() ?? null,
    });
    if (delivery?.published_at) days.push(fromSnapshot(delivery, isOnTime(dueOn, delivery.published_at, policy) ? 'on_time' : 'late'));
    else if (other) days.push(fromSnapshot(other, 'backfilled'));
    else if (held) days.push(fromSnapshot(held, 'held_for_review'));
    else if (running) days.push({ ...base, state: 'running', taskId: running.taskId });
    else if (latest && statuses.get(latest.taskId) === 'failed') days.push({ ...base, state: 'failed', taskId: latest.taskId });
    else if (skippedReason) days.push({ ...base, state: 'skipped', reason: skippedReason });
    else if (now < deliveryDeadline(dueOn, policy)) days.push({ ...base, state: 'upcoming', taskId: latest?.taskId ?? null });
    else if (!tracked || dueOn < tracked) days.push({ ...base, state: 'not_tracked' });
    else days.push({ ...base, state: 'missing', taskId: latest?.taskId ?? null });
  }
  return { from: query.from, to: query.to, timeZone: policy.timeZone, deadline: policy.deadline, days };
}

/** The month containing `now` in the delivery zone, as a calendar query. */
export function currentMonth(now: Date, timeZone: string): CalendarQuery {
  const today = localDateOf(now, timeZone);
  const from = `${today.slice(0, 7)}-01`;
  const next = new Date(Date.parse(`${from}T00:00:00Z`));
  next.setUTCMonth(next.getUTCMonth() + 1);
  return { from, to: addDays(next.toISOString().slice(0, 10), -1) };
}

/** This month's calendar, for the pages that open on it (the dashboard, /runs). */
export async function loadCurrentCalendar(pool: pg.Pool, pipeline: DeliveredPipeline, now: Date = new Date()): Promise<CalendarView> {
  const policy = await readDeliveryPolicy(pool, pipeline);
  return readDeliveryCalendar(pool, policy, currentMonth(now, policy.timeZone), now);
}
