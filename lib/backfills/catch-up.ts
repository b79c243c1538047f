/**
 * The scheduler's catch-up after downtime as a backfill: the missed firings (all but the latest, which the
 * scheduler fires as the day's delivery) become one backfill of their days, visible on the backfill page,
 * limited to `max_parallel` runs at once instead of all at once.
 *
 * The hook only records the backfill: its runs are launched by the promoter at the end of the scheduler's tick, after
 * the day's newest firing, so the engine (which claims older runs first) never queues today's delivery behind them.
 */
import type { DbHandle } from '@/db/client';
import type { JsonValue, Logger } from '@/lib/engine';
import { addDays } from '@/lib/time/zoned-time';
import { createBackfill, type BackfillPipelines } from './request';

export interface MissedFirings {
  schedule: { name: string; namespace: string; pipelineName: string };
  /** Oldest first, each with the input its firing would have launched. */
  missed: { scheduledFor: Date; context: JsonValue }[];
}

/** The scheduler's catch-up hook: true when the missed firings became a backfill, false to fire them one by one. */
export function createCatchUpBackfill(db: DbHandle, pipelines: BackfillPipelines, logger: Logger): (input: MissedFirings) => Promise<boolean> {
  return async ({ schedule, missed }) => {
    // Only the delivered pipeline's schedules fire days; another pipeline's missed firings fire one by one.
    const { delivered } = pipelines;
    if (schedule.namespace !== delivered.namespace || schedule.pipelineName !== delivered.name) return false;
    const days = missed.map((firing) => delivered.windowOf(firing.context)?.end ?? null);
    const first = days[0];
    const last = days.at(-1);
    // Only a run of consecutive days is a range; anything else (weekly cron, inputs without a window) fires as before.
    if (!first || !last || days.some((day, index) => day !== addDays(first, index))) return false;
    const created = await createBackfill(
      db,
      pipelines,
      {
        pipeline: `${schedule.namespace}.${schedule.pipelineName}`,
        start_date: first,
        end_date: last,
        reason: `catch-up after downtime: ${missed.length} missed firing${missed.length === 1 ? '' : 's'} of ${schedule.name}`,
      },
      { actorId: null, actorLabel: `schedule:${schedule.name}`, origin: 'catch_up' },
    );
    if (!created.ok) {
      logger.warn({ schedule: schedule.name, issues: created.issues }, 'catch-up could not become a backfill; firing the missed days one by one');
      return false;
    }
    logger.info({ schedule: schedule.name, backfillId: created.backfill.id, days: days.length }, 'missed firings caught up as a backfill');
    return true;
  };
}
