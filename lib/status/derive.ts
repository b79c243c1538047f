/**
 * The public status, derived from plain facts about runs and deliveries (read by ./read-facts.ts). Pure functions,
 * so every rule below is testable with a fixed clock.
 *
 * Definitions (local days and the deadline are in DELIVERY_TIMEZONE; "delivery" as lib/delivery/definition.ts
 * defines it — backfills and ad-hoc runs never count here):
 * - Days before tracking began (the first schedule's creation) are NOT TRACKED and count nowhere.
 * - The delivery due on day D is the first delivery publish on D of the window ending D − 1. It is ON TIME when it
 *   is at or before D's deadline (DELIVERY_DEADLINE, default 07:00), LATE after.
 * - A tracked day without one is FAILED when a delivery run for it failed, was cancelled or was held for review
 *   (held: LATE while it is still that day, since an operator may yet publish it); for today it is PENDING until
 *   the deadline passes, then LATE while a run is still going; otherwise NO RUN.
 * - On-time % = on-time days ÷ days with a delivery outcome (on time, late or failed); days with no run are left
 *   out.
 * - Automatic recovery rate = failed attempts (failed, timed out, lost) that a later attempt of the same step in
 *   the same task completed, with no operator operation on that step in between ÷ failed attempts whose fate is
 *   known (attempts of a still-active run that no later attempt has fixed yet are left out). Counted in the
 *   database (status_automatic_recovery, drizzle/0038_status_aggregates.sql).
 * - Incidents start at the deadline (or at an earlier failure of the day's delivery run) and are resolved by the
 *   late delivery itself, or for a failed day by the next delivery published after the incident began.
 * - Overall state, first match wins:
 *   AWAITING  no delivery yet, and tracking began less than 48 hours ago (a fresh install);
 *   DOWN      no delivery published in the last 48 hours;
 *   DELAYED   today's delivery is late, failed or missing after the deadline, or at risk before it (a run for
 *             today's window failed or has a step waiting to retry);
 *   DEGRADED  the most recent finished delivery run needed manual action (it failed, or an operator retried,
 *             reran, resolved or cancelled something in it);
 *   OPERATIONAL otherwise.
 */
import { firstTrackedDay, type DeliveryKind, type DeliveryPolicy } from '@/lib/delivery/definition';
import { deliveryDeadline, windowEndDeliveredOn } from '@/lib/delivery/clock';
import { addDays, localDateOf } from '@/lib/time/zoned-time';
import { deliveryExpectation, type DeliveryExpectation } from '@/lib/delivery/expectation';

export const HISTORY_DAYS = 90;
export const DOWN_AFTER_HOURS = 48;

export type DayOutcome = 'on_time' | 'late' | 'failed' | 'no_run' | 'pending' | 'not_tracked';
export type OverallState = 'operational' | 'delayed' | 'degraded' | 'down' | 'awaiting';
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A published daily delivery (never a backfill or an ad-hoc run). */
export interface DeliveryFact {
  windowEnd: string;
  publishedAt: Date;
}

export interface RunFact {
  id: string;
  status: RunStatus;
  /** The run's window end (YYYY-MM-DD); null if its input has none. */
  windowEnd: string | null;
  createdAt: Date;
  completedAt: Date | null;
  stepsTotal: number;
  stepsDone: number;
  /** A step failed and is waiting for its next automatic attempt. */
  retrying: boolean;
  /** An operator operation was recorded on the run, or a step was resolved by hand. */
  operatorActed: boolean;
  /** The run's kind by its creation: 'delivery' when it was started on the day its window is delivered. */
  kind: DeliveryKind | null;
  /** Its snapshot is held for review (the data-quality gate stopped it). */
  held: boolean;
}

/** The automatic recovery rate's counts, computed in the database (read-facts.ts has the rule's query). */
export interface RecoveryFact {
  /** Failed attempts a later attempt of the same step completed with no operator operation on that step in between. */
  recovered: number;
  /** Failed attempts whose fate is known: fixed, or their run has finished. */
  known: number;
}

export interface StatusFacts {
  deliveries: DeliveryFact[];
  /** The latest delivery by window end (then publish time), even when it is older than the history window. */
  latestDelivery: DeliveryFact | null;
  /**
   * Runs of the history period, at least one per question the derivation asks of a delivery attempt's runs (any
   * active, held or retrying; the first to give up; the newest; the last to finish); more runs never change the answer.
   */
  runs: RunFact[];
  recovery: RecoveryFact;
  /** Today's schedule firing and, while today's delivery run is in flight, its estimated finish (./index.ts reads them). */
  today?: { scheduledStartAt: Date | null; etaAt: Date | null };
}

export interface HistoryDay {
  date: string;
  outcome: DayOutcome;
  deadline_at: string;
  delivered_at: string | null;
}

export interface Ratio {
  percent: number | null;
  numerator: number;
  denominator: number;
}

export interface Incident {
  date: string;
  kind: 'failed' | 'late';
  started_at: string;
  resolved_at: string | null;
  duration_ms: number | null;
}

export interface TodayPipeline {
  date: string;
  deadline_at: string;
  /** When the delivered pipeline's schedule fires today; null when it does not (paused, deleted, or not today). */
  scheduled_start_at: string | null;
  /** While today's delivery run is in flight, when it is expected to finish (lib/scheduling/eta.ts); else null. */
  eta_at: string | null;
  /** The same estimate in words against the deadline ("Today's data expected by 06:40" / "Late: expected 07:25"). */
  expected: DeliveryExpectation | null;
  run: { status: RunStatus; steps_done: number; steps_total: number; percent: number } | null;
  outcome: DayOutcome;
  delivered_at: string | null;
}

export interface PublicStatus {
  generated_at: string;
  overall: { state: OverallState; reason: string };
  delivery: { deadline: string; time_zone: string; tracking_since: string | null };
  today: TodayPipeline;
  last_delivery: { published_at: string; window_end: string; on_time: boolean } | null;
  history: HistoryDay[];
  on_time: { last_30_days: Ratio; last_90_days: Ratio };
  automatic_recovery: Ratio;
  incidents: Incident[];
}

const ACTIVE: readonly RunStatus[] = ['pending', 'running'];
const GAVE_UP: readonly RunStatus[] = ['failed', 'cancelled'];

function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, percent: denominator > 0 ? Math.round((numerator / denominator) * 1000) / 10 : null };
}

function firstDeliveryByWindowEnd(deliveries: DeliveryFact[]): Map<string, Date> {
  const first = new Map<string, Date>();
  for (const delivery of deliveries) {
    const known = first.get(delivery.windowEnd);
    if (!known || delivery.publishedAt < known) first.set(delivery.windowEnd, delivery.publishedAt);
  }
  return first;
}

function dayOutcome(day: string, today: string, now: Date, deliveredAt: Date | undefined, runs: RunFact[], policy: DeliveryPolicy): DayOutcome {
  const firstTracked = firstTrackedDay(policy);
  if (firstTracked === null || day < firstTracked) return 'not_tracked';
  const deadline = deliveryDeadline(day, policy);
  if (deliveredAt) return deliveredAt <= deadline ? 'on_time' : 'late';
  const active = runs.some((run) => ACTIVE.includes(run.status));
  const held = runs.some((run) => run.held);
  const gaveUp = runs.some((run) => GAVE_UP.includes(run.status));
  if (day === today && now < deadline) return 'pending';
  if (active || (held && day === today)) return 'late';
  if (gaveUp || held) return 'failed';
  return 'no_run';
}

/** The runs that attempted the delivery of `windowEnd`'s day: delivery-kind runs of exactly that window. */
export const deliveryRunsFor = (facts: StatusFacts, windowEnd: string) => facts.runs.filter((run) => run.kind === 'delivery' && run.windowEnd === windowEnd);

/** The 90 local days ending today, oldest first. */
export function deliveryHistory(facts: StatusFacts, now: Date, policy: DeliveryPolicy): HistoryDay[] {
  const today = localDateOf(now, policy.timeZone);
  const delivered = firstDeliveryByWindowEnd(facts.deliveries);
  const days: HistoryDay[] = [];
  for (let offset = HISTORY_DAYS - 1; offset >= 0; offset -= 1) {
    const date = addDays(today, -offset);
    const windowEnd = windowEndDeliveredOn(date);
    const deliveredAt = delivered.get(windowEnd);
    const runs = deliveryRunsFor(facts, windowEnd);
    days.push({
      date,
      outcome: dayOutcome(date, today, now, deliveredAt, runs, policy),
      deadline_at: deliveryDeadline(date, policy).toISOString(),
      delivered_at: deliveredAt?.toISOString() ?? null,
    });
  }
  return days;
}

export function onTimeRatio(history: HistoryDay[], lastDays: number): Ratio {
  const counted = history.slice(-lastDays).filter((day) => day.outcome === 'on_time' || day.outcome === 'late' || day.outcome === 'failed');
  return ratio(counted.filter((day) => day.outcome === 'on_time').length, counted.length);
}

export function automaticRecovery(facts: StatusFacts): Ratio {
  return ratio(facts.recovery.recovered, facts.recovery.known);
}

export function incidents(history: HistoryDay[], facts: StatusFacts, now: Date): Incident[] {
  const publications = facts.deliveries.map((delivery) => delivery.publishedAt).sort((a, b) => a.getTime() - b.getTime());
  const found: Incident[] = [];
  for (const day of history) {
    if (day.outcome !== 'failed' && day.outcome !== 'late') continue;
    let startedAt = new Date(day.deadline_at);
    let resolvedAt = day.delivered_at ? new Date(day.delivered_at) : null;
    if (day.outcome === 'failed') {
      const failures = deliveryRunsFor(facts, windowEndDeliveredOn(day.date))
        .filter((run) => GAVE_UP.includes(run.status))
        .map((run) => run.completedAt ?? run.createdAt);
      const firstFailure = failures.sort((a, b) => a.getTime() - b.getTime())[0];
      // A failure before the deadline is already an incident; a failure after it extends one that began at the deadline.
      if (firstFailure && firstFailure < startedAt) startedAt = firstFailure;
      resolvedAt = publications.find((publishedAt) => publishedAt >= startedAt) ?? null;
    }
    if (resolvedAt && (resolvedAt > now || resolvedAt < startedAt)) resolvedAt = null;
    found.push({
      date: day.date,
      kind: day.outcome,
      started_at: startedAt.toISOString(),
      resolved_at: resolvedAt?.toISOString() ?? null,
      duration_ms: resolvedAt ? Math.max(0, resolvedAt.getTime() - startedAt.getTime()) : null,
    });
  }
  return found.reverse();
}

function todayPipeline(history: HistoryDay[], facts: StatusFacts, policy: DeliveryPolicy): TodayPipeline {
  const today = history[history.length - 1];
  if (!today) throw new Error('the delivery history is empty');
  const windowEnd = windowEndDeliveredOn(today.date);
  const run = deliveryRunsFor(facts, windowEnd).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  return {
    date: today.date,
    deadline_at: today.deadline_at,
    scheduled_start_at: facts.today?.scheduledStartAt?.toISOString() ?? null,
    eta_at: today.delivered_at ? null : (facts.today?.etaAt?.toISOString() ?? null),
    expected: today.delivered_at ? null : deliveryExpectation(facts.today?.etaAt ?? null, new Date(today.deadline_at), policy.timeZone),
    run: run
      ? {
          status: run.status,
          steps_done: run.stepsDone,
          steps_total: run.stepsTotal,
          percent: run.stepsTotal > 0 ? Math.round((run.stepsDone / run.stepsTotal) * 100) : 0,
        }
      : null,
    outcome: today.outcome,
    delivered_at: today.delivered_at,
  };
}

export function overallState(history: HistoryDay[], facts: StatusFacts, now: Date, policy: DeliveryPolicy): { state: OverallState; reason: string } {
  const lastPublished = facts.deliveries.reduce<Date | null>((latest, delivery) => (!latest || delivery.publishedAt > latest ? delivery.publishedAt : latest), facts.latestDelivery?.publishedAt ?? null);
  if (!lastPublished) {
    const trackedFor = policy.trackingSince ? now.getTime() - policy.trackingSince.getTime() : 0;
    if (trackedFor < DOWN_AFTER_HOURS * 3_600_000) {
      return { state: 'awaiting', reason: 'Awaiting the first delivery: tracking started recently and nothing has been delivered yet.' };
    }
  }
  if (!lastPublished || now.getTime() - lastPublished.getTime() > DOWN_AFTER_HOURS * 3_600_000) {
    return { state: 'down', reason: `No dashboard delivery in the last ${DOWN_AFTER_HOURS} hours.` };
  }
  const today = history[history.length - 1];
  if (today) {
    if (today.outcome === 'late' || today.outcome === 'failed' || today.outcome === 'no_run') {
      const reason = {
        late: today.delivered_at ? "Today's delivery arrived after the deadline." : "Today's delivery is late: the deadline has passed.",
        failed: "Today's delivery failed.",
        no_run: "Today's delivery has not run and the deadline has passed.",
      }[today.outcome];
      return { state: 'delayed', reason };
    }
    if (today.outcome === 'pending') {
      const windowEnd = windowEndDeliveredOn(today.date);
      const atRisk = deliveryRunsFor(facts, windowEnd).some((run) => GAVE_UP.includes(run.status) || run.retrying || run.held);
      if (atRisk) return { state: 'delayed', reason: "Today's delivery is at risk: its run is retrying or failed." };
    }
  }
  const lastFinished = facts.runs
    .filter((run) => run.kind === 'delivery' && !ACTIVE.includes(run.status))
    .sort((a, b) => (b.completedAt ?? b.createdAt).getTime() - (a.completedAt ?? a.createdAt).getTime())[0];
  if (lastFinished && (lastFinished.status === 'failed' || lastFinished.operatorActed)) {
    return { state: 'degraded', reason: 'The last run needed manual action by an operator.' };
  }
  return { state: 'operational', reason: 'Deliveries are arriving as expected.' };
}

export function deriveStatus(facts: StatusFacts, now: Date, policy: DeliveryPolicy): PublicStatus {
  const history = deliveryHistory(facts, now, policy);
  const latest = facts.latestDelivery;
  return {
    generated_at: now.toISOString(),
    overall: overallState(history, facts, now, policy),
    delivery: { deadline: policy.deadline, time_zone: policy.timeZone, tracking_since: policy.trackingSince?.toISOString() ?? null },
    today: todayPipeline(history, facts, policy),
    last_delivery: latest
      ? {
          published_at: latest.publishedAt.toISOString(),
          window_end: latest.windowEnd,
          on_time: latest.publishedAt <= deliveryDeadline(addDays(latest.windowEnd, 1), policy),
        }
      : null,
    history,
    on_time: { last_30_days: onTimeRatio(history, 30), last_90_days: onTimeRatio(history, HISTORY_DAYS) },
    automatic_recovery: automaticRecovery(facts),
    incidents: incidents(history, facts, now),
  };
}
