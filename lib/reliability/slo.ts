/**
 * The seed's promises as figures: for one pipeline, per period (the last 7, 30 and 90 days, and each calendar month
 * those 90 days touch), how often the daily delivery was on time, which days were late or missed and why, how many
 * runs failed, how many failed attempts recovered by themselves, how many runs needed a person, how many pages went
 * out and how fast they were resolved, and when deliveries landed against the deadline.
 *
 * Pure: ./load.ts reads the facts (the status page's delivery history, counts computed in the database) and this
 * module derives the report, so every rule is testable with a fixed clock. Definitions (docs/RELIABILITY.md):
 * - A DAY DUE is a tracked local day whose deadline has passed (or whose delivery has landed): on time, late, failed
 *   or no run as lib/status decides it. On-time rate = on-time days ÷ days due. Unlike the status page's on-time
 *   figure, a day with no run counts against it here: a missed night is a missed promise.
 * - LATE days published after the deadline; MISSED days are failed or had no run. Each gets a cause: the first
 *   failed attempt of the day's delivery runs (step, error class, when), else why nothing failed.
 * - Run figures count every run of the pipeline CREATED in the period (backfills and ad-hoc runs included: they are
 *   work the engine did); the daily delivery figures follow the delivery rules (lib/delivery/definition.ts).
 * - Automatic recovery is the status page's rule (status_automatic_recovery), over the runs created in the period.
 * - Finish time is the first delivery publish of each day minus that day's deadline, in minutes (negative: early);
 *   median and p95 by nearest rank over the days delivered in the period.
 */
import { z } from 'zod';
import type { RunHealthCounts } from '@/lib/engine';
import type { DayOutcome, HistoryDay, Ratio } from '@/lib/status/derive';
import { HISTORY_DAYS } from '@/lib/status/derive';
import { addDays } from '@/lib/time/zoned-time';

export const ROLLING_PERIODS = [7, 30, 90] as const;

export const sloQuerySchema = z.object({
  /** `namespace.name`, as the runs list writes it; the delivered pipeline when omitted. */
  pipeline: z
    .string()
    .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'pipeline must look like namespace.name, as the runs list writes it')
    .optional(),
  /** The period `summary` and `days` cover: the last N local days, today included. */
  days: z.coerce
    .number({ error: 'days must be a whole number of days' })
    .int('days must be a whole number of days')
    .min(1, 'days must be at least 1')
    .max(HISTORY_DAYS, `days must be at most ${HISTORY_DAYS}`)
    .default(30),
});
export type SloQuery = z.infer<typeof sloQuerySchema>;

/** Counts that add up per run: a bounded period is "since its start" minus "since the day after its end". */
export interface PeriodCounts extends Omit<RunHealthCounts, 'since'> {
  pages: number;
  pagesResolved: number;
  /** Sum of the resolved pages' minutes from raising to resolving (the mean is derived per period). */
  pageMinutesToResolve: number;
}

export const NO_COUNTS: PeriodCounts = {
  runs: 0, finished: 0, failed: 0, neededPerson: 0, recoveredAttempts: 0, knownFailedAttempts: 0, pages: 0, pagesResolved: 0, pageMinutesToResolve: 0,
};

export function subtractCounts(from: PeriodCounts, later: PeriodCounts): PeriodCounts {
  const difference = { ...NO_COUNTS };
  for (const key of Object.keys(NO_COUNTS) as (keyof PeriodCounts)[]) difference[key] = Math.max(0, from[key] - later[key]);
  return difference;
}

export interface FailureCause {
  taskId: string;
  stepName: string;
  errorClass: string | null;
  failedAt: Date;
}

/** A day of the delivery record as the report shows it. */
export interface ReliabilityDay {
  date: string;
  outcome: DayOutcome;
  deadline_at: string;
  delivered_at: string | null;
  /** Publish time minus the deadline in minutes (negative: early); null when nothing was delivered. */
  minutes_vs_deadline: number | null;
  /** The day's delivery runs, newest first (what the figure links to). */
  run_ids: string[];
  /** For a late or missed day: what went wrong first, or why nothing did. */
  cause: { step: string; error_class: string | null; failed_at: string; run_id: string } | null;
  explanation: string | null;
}

export interface ReliabilityPeriod {
  key: string;
  label: string;
  /** Local days, inclusive. */
  from: string;
  to: string;
  /** Null for a pipeline without a daily delivery. */
  on_time: Ratio | null;
  days_due: number;
  late_days: string[];
  missed_days: string[];
  runs: { created: number; finished: number; failed: number; failure_rate: Ratio };
  automatic_recovery: Ratio;
  needed_person: number;
  pages: { sent: number; resolved: number; mean_minutes_to_resolve: number | null };
  finish_vs_deadline: { median_minutes: number | null; p95_minutes: number | null; days: number };
}

export interface ReliabilityReport {
  generated_at: string;
  pipeline: string;
  /** Whether the pipeline has a daily delivery with a deadline (only then are there on-time figures and days). */
  delivered: boolean;
  deadline: string | null;
  time_zone: string;
  /** The period `?days=` asked for. */
  summary: ReliabilityPeriod;
  /** The last 7, 30 and 90 days, then the calendar months of the last 90 days, newest first. */
  periods: ReliabilityPeriod[];
  /** The daily record of the summary's period, oldest first (empty without a daily delivery). */
  days: ReliabilityDay[];
}

export interface PeriodBounds {
  key: string;
  label: string;
  from: string;
  to: string;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The periods a report shows, for `today` (a local day): the summary's, the rolling ones, and the months touched. */
export function periodBounds(today: string, summaryDays: number): { summary: PeriodBounds; periods: PeriodBounds[] } {
  const rolling = (days: number): PeriodBounds => ({ key: `${days}d`, label: `Last ${days} days`, from: addDays(today, -(days - 1)), to: today });
  const first = addDays(today, -(HISTORY_DAYS - 1));
  const months: PeriodBounds[] = [];
  for (let month = today.slice(0, 7); `${month}-31` >= first; ) {
    const monthStart = `${month}-01`;
    const [year = 0, number = 1] = month.split('-').map(Number);
    const next = number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`;
    const monthEnd = addDays(`${next}-01`, -1);
    const from = monthStart < first ? first : monthStart;
    const to = monthEnd > today ? today : monthEnd;
    if (from <= to) {
      // A month the 90 days cut says where they begin; the current one, that it is not over.
      const name = `${MONTH_NAMES[number - 1] ?? month} ${year}`;
      const note = from !== monthStart ? ` (from ${name.slice(0, 3)} ${Number(from.slice(8))})` : to !== monthEnd ? ' (to date)' : '';
      months.push({ key: month, label: `${name}${note}`, from, to });
    }
    month = number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
  }
  return { summary: rolling(summaryDays), periods: [...ROLLING_PERIODS.map(rolling), ...months] };
}

function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, percent: denominator > 0 ? Math.round((numerator / denominator) * 1000) / 10 : null };
}

/** Nearest-rank percentile of sorted values. */
export function nearestRank(sorted: readonly number[], quantile: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))] ?? null;
}

const DUE: readonly DayOutcome[] = ['on_time', 'late', 'failed', 'no_run'];
const MISSED: readonly DayOutcome[] = ['failed', 'no_run'];

const minutesBetween = (later: Date, earlier: Date) => Math.round((later.getTime() - earlier.getTime()) / 6_000) / 10;

/** A history day with its delivery runs and first failure, as the report shows it. */
export function reliabilityDay(day: HistoryDay, runIds: readonly string[], cause: FailureCause | undefined): ReliabilityDay {
  const deliveredAt = day.delivered_at ? new Date(day.delivered_at) : null;
  const troubled = day.outcome === 'late' || MISSED.includes(day.outcome);
  let explanation: string | null = null;
  if (troubled && !cause) {
    if (runIds.length === 0) explanation = day.outcome === 'late' ? 'Published late by a run started after the deadline.' : 'No delivery run was started for this day.';
    else if (day.outcome === 'late') explanation = 'No attempt failed: the run started late or ran slowly.';
    else explanation = 'The run stopped without a failed attempt (cancelled or held for review).';
  }
  return {
    date: day.date,
    outcome: day.outcome,
    deadline_at: day.deadline_at,
    delivered_at: day.delivered_at,
    minutes_vs_deadline: deliveredAt ? minutesBetween(deliveredAt, new Date(day.deadline_at)) : null,
    run_ids: [...runIds],
    cause: troubled && cause ? { step: cause.stepName, error_class: cause.errorClass, failed_at: cause.failedAt.toISOString(), run_id: cause.taskId } : null,
    explanation,
  };
}

/** One period's figures from its days (a delivered pipeline's; none otherwise) and its counts. */
export function periodFigures(bounds: PeriodBounds, days: readonly ReliabilityDay[] | null, counts: PeriodCounts): ReliabilityPeriod {
  const inPeriod = (days ?? []).filter((day) => day.date >= bounds.from && day.date <= bounds.to);
  const due = inPeriod.filter((day) => DUE.includes(day.outcome));
  const finishes = inPeriod.flatMap((day) => (day.minutes_vs_deadline === null ? [] : [day.minutes_vs_deadline])).sort((a, b) => a - b);
  return {
    ...bounds,
    on_time: days ? ratio(due.filter((day) => day.outcome === 'on_time').length, due.length) : null,
    days_due: due.length,
    late_days: inPeriod.filter((day) => day.outcome === 'late').map((day) => day.date),
    missed_days: inPeriod.filter((day) => MISSED.includes(day.outcome)).map((day) => day.date),
    runs: { created: counts.runs, finished: counts.finished, failed: counts.failed, failure_rate: ratio(counts.failed, counts.finished) },
    automatic_recovery: ratio(counts.recoveredAttempts, counts.knownFailedAttempts),
    needed_person: counts.neededPerson,
    pages: {
      sent: counts.pages,
      resolved: counts.pagesResolved,
      mean_minutes_to_resolve: counts.pagesResolved > 0 ? Math.round((counts.pageMinutesToResolve / counts.pagesResolved) * 10) / 10 : null,
    },
    finish_vs_deadline: { median_minutes: nearestRank(finishes, 0.5), p95_minutes: nearestRank(finishes, 0.95), days: finishes.length },
  };
}
