/** The public status page's one entry point: facts from the database, derived with the deployment's delivery policy. */
import type pg from 'pg';
import type { DeliveredPipeline, DeliveryPolicy } from '@/lib/delivery/definition';
import { windowEndDeliveredOn } from '@/lib/delivery/clock';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { firingsBetween } from '@/lib/scheduling/cron';
import { getTaskEta, shownEtaAt } from '@/lib/scheduling/eta';
import { addDays, instantOf, localDateOf } from '@/lib/time/zoned-time';
import { deliveryRunsFor, deriveStatus, type PublicStatus, type StatusFacts } from './derive';
import { readStatusFacts } from './read-facts';

export type { PublicStatus, OverallState, DayOutcome, HistoryDay, Incident, Ratio } from './derive';

/**
 * Today's firing of the delivered pipeline's daily schedule (none while it is paused or deleted), and the estimated
 * finish of today's delivery run while it is in flight: two small reads, only for today.
 */
async function readToday(pool: pg.Pool, facts: StatusFacts, now: Date, policy: DeliveryPolicy): Promise<NonNullable<StatusFacts['today']>> {
  const today = localDateOf(now, policy.timeZone);
  const inFlight = deliveryRunsFor(facts, windowEndDeliveredOn(today))
    .filter((run) => run.status === 'pending' || run.status === 'running')
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  const [schedule, eta] = await Promise.all([
    pool.query<{ cron: string; timeZone: string }>(
      `SELECT cron_expression AS cron, time_zone AS "timeZone" FROM schedules WHERE name = $1 AND NOT paused`,
      [policy.pipeline.schedule.name],
    ),
    inFlight ? getTaskEta({ pool }, inFlight.id, { now }) : Promise.resolve(null),
  ]);
  const row = schedule.rows[0];
  const dayStart = instantOf(today, '00:00', policy.timeZone);
  const firing = row ? firingsBetween(row.cron, row.timeZone, new Date(dayStart.getTime() - 1), instantOf(addDays(today, 1), '00:00', policy.timeZone), 1)[0] : undefined;
  return { scheduledStartAt: firing ?? null, etaAt: shownEtaAt(eta) };
}

/** The status of `pipeline`'s delivery with this deployment's policy (lib/delivery/policy.ts), or a policy of the caller's (tests). */
export async function loadPublicStatus(pool: pg.Pool, now: Date, delivered: DeliveredPipeline | DeliveryPolicy): Promise<PublicStatus> {
  const effective = 'pipeline' in delivered ? delivered : await readDeliveryPolicy(pool, delivered);
  const facts = await readStatusFacts(pool, now, effective);
  return deriveStatus({ ...facts, today: await readToday(pool, facts, now, effective) }, now, effective);
}
