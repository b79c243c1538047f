/**
 * The scheduler: on each tick, launches every due firing of every active schedule, then checks the deadlines
 * of running scheduled runs (deadline.ts). The clock is passed in (`now`), so tests drive it through time.
 *
 * Any number of schedulers may run (every web process and worker starts one): a firing launches its task with
 * the idempotency key `schedule:<name>:<firing instant>`, so however many processes fire the same slot, the
 * engine creates one task, and the firing row (unique per schedule and instant) records it once.
 *
 * Catch-up after downtime — the newest day first, history after, nothing dropped silently:
 * - The latest due firing is launched first, as the day's delivery: the engine claims older runs first, so a run
 *   launched before the history is never queued behind it, and today's dashboard is not blocked by old days.
 * - The missed firings before it, within the last `catchUpMaxAgeDays` days, run after it. With a `catchUp` hook (the
 *   app passes lib/backfills' one) they become one backfill of their days, launched a few at a time by the hook's
 *   promoter after this firing; without it, or when the hook declines, they are launched here, oldest first.
 * - Missed firings older than that are too late to matter: they are recorded in schedule_skipped_firings with that
 *   reason (the delivery calendar shows it) instead of run out of order. So is a missed firing whose launch fails
 *   after the latest one ran, since the next tick starts after the latest and would not see it again.
 * Firings before a schedule's `active_from` never run, so a new or resumed schedule does not backfill.
 */
import type { DbHandle } from '@/db/client';
import { createPollLoop, launchTask, type JsonValue, type Logger, type PipelineRegistry } from '@/lib/engine';
import type { RoutingOptions } from '@/lib/monitoring/alert-store';
import { watchUnservedVersions } from '@/lib/monitoring/unserved-versions';
import { firingsBetween } from './cron';
import { watchDeadlines } from './deadline';
import { renderInputTemplate } from './input-template';
import { listActiveSchedules, type Schedule } from './schedules';
import { localDateOf, nextLocalTime } from '@/lib/time/zoned-time';

const DAY_MS = 86_400_000;

export interface SchedulerOptions extends RoutingOptions {
  db: DbHandle;
  registry: PipelineRegistry;
  logger: Logger;
  /** The clock; tests pass a simulated one. */
  now?: () => Date;
  /** Missed firings older than this many days are skipped with a reason instead of caught up (CATCH_UP_MAX_AGE_DAYS). */
  catchUpMaxAgeDays: number;
  /** DEADLINE_PAGE_LEAD_MINUTES: a run forecast late pages once less than this is left (default 30). */
  deadlinePageLeadMinutes?: number;
  tickMs: number;
  /** Called when a tick enqueued alert messages (deadline alerts), to wake an in-process delivery loop. */
  onAlerts?: () => void;
  /**
   * Takes over the missed firings before the latest (oldest first); true when it did (they are then neither launched
   * nor recorded here), false to launch them one by one. Called before the latest firing, so a failure retries both;
   * it must only record them, and launch nothing before the latest firing has (see the catch-up rule above).
   */
  catchUp?: (input: { schedule: Schedule; missed: { scheduledFor: Date; context: JsonValue }[] }) => Promise<boolean>;
  /** Runs at the end of every tick (the backfill promoter's sweep); a failure is logged, not fatal. */
  onTick?: () => Promise<void>;
}

/** At most this many too-old firings are recorded per tick (the newest); a per-minute cron down for a month would be 43,000. */
const MAX_RECORDED_SKIPS = 1_000;

export interface FiringResult {
  schedule: string;
  scheduledFor: Date;
  taskId: string;
  /** False when another scheduler (or an earlier tick) had already created the task. */
  created: boolean;
}

export interface Scheduler {
  /** One pass: fire what is due, then watch deadlines and runs whose version no worker serves. Returns the firings it handled, oldest first. */
  tick(): Promise<FiringResult[]>;
  start(): void;
  stop(): Promise<void>;
}

export function firingIdempotencyKey(scheduleName: string, scheduledFor: Date): string {
  return `schedule:${scheduleName}:${scheduledFor.toISOString()}`;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, logger } = options;
  const now = options.now ?? (() => new Date());

  /** The firings due now, oldest first, split into those to run (the latest always among them) and those too old. */
  async function dueFirings(schedule: Schedule, at: Date): Promise<{ run: Date[]; tooOld: Date[] }> {
    const last = await db.pool.query<{ last: Date | null }>(`SELECT max(scheduled_for) AS last FROM schedule_firings WHERE schedule_id = $1`, [schedule.id]);
    const lastFired = last.rows[0]?.last ?? null;
    // Exclusive lower bound: just before active_from, so a firing exactly at it counts.
    const after = new Date(Math.max(lastFired?.getTime() ?? schedule.activeFrom.getTime() - 1, schedule.activeFrom.getTime() - 1));
    const firings = firingsBetween(schedule.cronExpression, schedule.timeZone, after, at);
    const horizon = at.getTime() - options.catchUpMaxAgeDays * DAY_MS;
    const recent = (firing: Date, index: number) => index === firings.length - 1 || firing.getTime() >= horizon;
    return { run: firings.filter(recent), tooOld: firings.filter((firing, index) => !recent(firing, index)) };
  }

  async function recordSkipped(schedule: Schedule, firings: Date[], reason: (firing: Date) => string): Promise<void> {
    if (firings.length === 0) return;
    const recorded = firings.slice(-MAX_RECORDED_SKIPS);
    await db.pool.query(
      `INSERT INTO schedule_skipped_firings (schedule_id, scheduled_for, reason)
       SELECT $1, firing.at, firing.reason FROM unnest($2::timestamptz[], $3::text[]) AS firing(at, reason)
       ON CONFLICT (schedule_id, scheduled_for) DO NOTHING`,
      [schedule.id, recorded, recorded.map(reason)],
    );
    logger.warn(
      { schedule: schedule.name, skipped: firings.length, recorded: recorded.length, oldest: firings[0]?.toISOString(), reason: reason(firings[0] ?? new Date(0)) },
      'scheduled firings skipped',
    );
  }

  async function fire(schedule: Schedule, scheduledFor: Date): Promise<FiringResult> {
    const context = renderInputTemplate(schedule.inputTemplate, scheduledFor, schedule.timeZone);
    const launched = await launchTask(db, options.registry, {
      namespace: schedule.namespace,
      name: schedule.pipelineName,
      context,
      idempotencyKey: firingIdempotencyKey(schedule.name, scheduledFor),
      initiator: `schedule:${schedule.name}`,
      reason: `scheduled run for ${localDateOf(scheduledFor, schedule.timeZone)} (${schedule.cronExpression} ${schedule.timeZone})`,
    });
    const deadlineAt = schedule.deadlineLocalTime ? nextLocalTime(scheduledFor, schedule.deadlineLocalTime, schedule.timeZone) : null;
    await db.pool.query(
      `INSERT INTO schedule_firings (schedule_id, scheduled_for, task_id, deadline_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (schedule_id, scheduled_for) DO NOTHING`,
      [schedule.id, scheduledFor, launched.taskId, deadlineAt],
    );
    if (launched.created) {
      logger.info({ schedule: schedule.name, scheduledFor: scheduledFor.toISOString(), taskId: launched.taskId }, 'scheduled run launched');
    }
    return { schedule: schedule.name, scheduledFor, taskId: launched.taskId, created: launched.created };
  }

  async function tick(): Promise<FiringResult[]> {
    const at = now();
    const results: FiringResult[] = [];
    for (const schedule of await listActiveSchedules(db.pool)) {
      try {
        const { run, tooOld } = await dueFirings(schedule, at);
        const latest = run.at(-1);
        if (!latest) continue;
        const missed = run.slice(0, -1);
        const handedOver =
          missed.length > 0 && options.catchUp
            ? await options.catchUp({
                schedule,
                missed: missed.map((scheduledFor) => ({ scheduledFor, context: renderInputTemplate(schedule.inputTemplate, scheduledFor, schedule.timeZone) })),
              })
            : false;
        results.push(await fire(schedule, latest));
        await recordSkipped(schedule, tooOld, () => `too late to matter: more than ${options.catchUpMaxAgeDays} days old when the scheduler caught up at ${at.toISOString()} (CATCH_UP_MAX_AGE_DAYS)`);
        if (handedOver) continue;
        for (const [index, scheduledFor] of missed.entries()) {
          try {
            results.push(await fire(schedule, scheduledFor));
          } catch (error) {
            // The latest firing is recorded, so the next tick starts after it and would never try these again.
            const message = error instanceof Error ? error.message : String(error);
            await recordSkipped(schedule, missed.slice(index), () => `catch-up launch failed: ${message}`);
            break;
          }
        }
      } catch (error) {
        // One broken schedule (pipeline gone, input no longer valid) must not stop the others; it is retried next tick.
        logger.error({ schedule: schedule.name, error: error instanceof Error ? error.message : String(error) }, 'scheduled firing failed');
      }
    }
    const deadlines = await watchDeadlines(db.pool, { now: at, logger, linkBaseUrl: options.linkBaseUrl, pageLeadMinutes: options.deadlinePageLeadMinutes });
    const unserved = await watchUnservedVersions(db.pool, { logger, linkBaseUrl: options.linkBaseUrl });
    if (deadlines.atRisk.length + deadlines.missed.length + deadlines.paged.length + unserved.raised.length + unserved.resolved.length > 0) options.onAlerts?.();
    await options.onTick?.().catch((error: unknown) =>
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'scheduler tick hook failed; trying again next tick'),
    );
    return results;
  }

  const loop = createPollLoop({
    name: 'scheduler tick',
    intervalMs: options.tickMs,
    pass: async () => {
      await tick();
    },
    logger,
  });

  return {
    tick,
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
}
