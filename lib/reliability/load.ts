/**
 * Reads what a reliability report is derived from (./slo.ts), in four round trips whatever the history's size:
 * the status page's facts (the delivered pipeline's 90-day delivery record), run and attempt counts and page counts
 * per period boundary (each one set-based pass in the database), and the first failure of the few runs behind late
 * or missed days.
 */
import type pg from 'pg';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { windowEndDeliveredOn } from '@/lib/delivery/clock';
import { readFirstFailures, readRunHealthCounts, type PipelineRef } from '@/lib/engine';
import { readPageCounts } from '@/lib/monitoring/alert-queries';
import { deliveryHistory, deliveryRunsFor } from '@/lib/status/derive';
import { readStatusFacts } from '@/lib/status/read-facts';
import { addDays, instantOf, localDateOf } from '@/lib/time/zoned-time';
import {
  NO_COUNTS,
  periodBounds,
  periodFigures,
  reliabilityDay,
  subtractCounts,
  type FailureCause,
  type PeriodCounts,
  type ReliabilityDay,
  type ReliabilityReport,
} from './slo';

export interface ReliabilityTarget {
  pipeline: PipelineRef;
  /** The delivery policy when `pipeline` is the delivered one; otherwise only run, attempt and page figures exist. */
  delivery: DeliveryPolicy | null;
  /** The zone days are counted in (the delivery's, else the deployment's DELIVERY_TIMEZONE). */
  timeZone: string;
}

async function readDays(pool: pg.Pool, policy: DeliveryPolicy, now: Date): Promise<ReliabilityDay[]> {
  const facts = await readStatusFacts(pool, now, policy);
  const history = deliveryHistory(facts, now, policy);
  const runsOf = new Map(history.map((day) => [day.date, deliveryRunsFor(facts, windowEndDeliveredOn(day.date))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .map((run) => run.id)]));
  const troubled = history.filter((day) => day.outcome === 'late' || day.outcome === 'failed' || day.outcome === 'no_run');
  const failures = await readFirstFailures(pool, troubled.flatMap((day) => runsOf.get(day.date) ?? []));
  const failureOf = new Map(failures.map((failure) => [failure.taskId, failure]));
  return history.map((day) => {
    const runIds = runsOf.get(day.date) ?? [];
    // The day's trouble began with the earliest first failure among its runs.
    const cause = runIds
      .map((id) => failureOf.get(id))
      .filter((failure): failure is FailureCause => failure !== undefined)
      .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime())[0];
    return reliabilityDay(day, runIds, cause);
  });
}

export async function loadReliability(pool: pg.Pool, target: ReliabilityTarget, now: Date, summaryDays: number): Promise<ReliabilityReport> {
  const today = localDateOf(now, target.timeZone);
  const { summary, periods } = periodBounds(today, summaryDays);
  const all = [summary, ...periods];
  // Every period's start and the day after its end, as instants; counts "since" each, subtracted per period.
  const boundaryDays = [...new Set(all.flatMap((period) => [period.from, addDays(period.to, 1)]))].sort();
  const boundaries = boundaryDays.map((day) => instantOf(day, '00:00', target.timeZone));
  const [days, health, pages] = await Promise.all([
    target.delivery ? readDays(pool, target.delivery, now) : Promise.resolve(null),
    readRunHealthCounts(pool, target.pipeline, boundaries),
    readPageCounts(pool, target.pipeline, boundaries),
  ]);
  const countsSince = new Map<string, PeriodCounts>(
    boundaryDays.map((day, index) => {
      const { since: _since, ...run } = health[index] ?? { since: null, ...NO_COUNTS };
      const page = pages[index];
      return [day, {
        ...NO_COUNTS,
        ...run,
        pages: page?.pages ?? 0,
        pagesResolved: page?.resolved ?? 0,
        pageMinutesToResolve: page?.minutesToResolve ?? 0,
      }];
    }),
  );
  const figures = (bounds: (typeof all)[number]) =>
    periodFigures(bounds, days, subtractCounts(countsSince.get(bounds.from) ?? NO_COUNTS, countsSince.get(addDays(bounds.to, 1)) ?? NO_COUNTS));
  return {
    generated_at: now.toISOString(),
    pipeline: `${target.pipeline.namespace}.${target.pipeline.name}`,
    delivered: target.delivery !== null,
    deadline: target.delivery?.deadline ?? null,
    time_zone: target.timeZone,
    summary: figures(summary),
    periods: periods.map(figures),
    days: (days ?? []).filter((day) => day.date >= summary.from && day.date <= summary.to),
  };
}
