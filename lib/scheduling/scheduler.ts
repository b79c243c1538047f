/**
 * The scheduler: on each tick, launches every due firing of every active schedule, then checks the deadlines
 * of running scheduled runs (deadline.ts). The clock is passed in (`now`), so tests drive it through time.
 *
 * Any number of schedulers may run (every web process and worker starts one): a firing launches its task with
 * the idempotency key `schedule:<name>:<firing instant>`, so however many processes fire the same slot, the
 * engine creates one task, and the firing row (unique per schedule and instant) records it once.
 *
 * Catch-up: after downtime, the missed firings since the last recorded one are caught up, but only those within the
 * last `catchUpDays` days (the latest due firing is always launched, as the day's delivery). With a `catchUp` hook
 * (the app passes lib/backfills' one) the earlier missed firings become one backfill of their days, run at most
 * a few at a time; without it, or when the hook declines, they are launched here oldest first. Firings before a
 * schedule's `active_from` never run, so a new or resumed schedule does not backfill.
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
  catchUpDays: number;
  tickMs: number;
  /** Called when a tick enqueued alert messages (deadline alerts), to wake an in-process delivery loop. */
  onAlerts?: () => void;
  /**
   * Takes over the missed firings before the latest (oldest first); true when it did (they are then neither launched
   * nor recorded here), false to launch them one by one. Called before the latest firing, so a failure retries both.
   */
  catchUp?: (input: { schedule: Schedule; missed: { scheduledFor: Date; context: JsonValue }[] }) => Promise<boolean>;
  /** Runs at the end of every tick (the backfill promoter's sweep); a failure is logged, not fatal. */
  onTick?: () => Promise<void>;
}

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

  async function dueFirings(schedule: Schedule, at: Date): Promise<Date[]> {
    const last = await db.pool.query<{ last: Date | null }>(`SELECT max(scheduled_for) AS last FROM schedule_firings WHERE schedule_id = $1`, [schedule.id]);
    const lastFired = last.rows[0]?.last ?? null;
    // Exclusive lower bound: just before active_from, so a firing exactly at it counts.
    const after = new Date(Math.max(lastFired?.getTime() ?? schedule.activeFrom.getTime() - 1, schedule.activeFrom.getTime() - 1));
    const firings = firingsBetween(schedule.cronExpression, schedule.timeZone, after, at);
    const horizon = at.getTime() - options.catchUpDays * DAY_MS;
    return firings.filter((firing, index) => index === firings.length - 1 || firing.getTime() >= horizon);
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
        const due = await dueFirings(schedule, at);
        const missed = due.slice(0, -1);
        const handedOver =
          missed.length > 0 && options.catchUp
            ? await options.catchUp({
                schedule,
                missed: missed.map((scheduledFor) => ({ scheduledFor, context: renderInputTemplate(schedule.inputTemplate, scheduledFor, schedule.timeZone) })),
              })
            : false;
        for (const scheduledFor of handedOver ? due.slice(-1) : due) results.push(await fire(schedule, scheduledFor));
      } catch (error) {
        // One broken schedule (pipeline gone, input no longer valid) must not stop the others; it is retried next tick.
        logger.error({ schedule: schedule.name, error: error instanceof Error ? error.message : String(error) }, 'scheduled firing failed');
      }
    }
    const deadlines = await watchDeadlines(db.pool, { now: at, logger, linkBaseUrl: options.linkBaseUrl });
    const unserved = await watchUnservedVersions(db.pool, { logger, linkBaseUrl: options.linkBaseUrl });
    if (deadlines.atRisk.length + deadlines.missed.length + unserved.raised.length + unserved.resolved.length > 0) options.onAlerts?.();
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
