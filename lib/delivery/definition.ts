/**
 * What counts as the daily delivery — the one definition the dashboard, the status page, alerts, ETA and the runs
 * list follow.
 *
 * For delivery day D (a calendar day in DELIVERY_TIMEZONE) the delivery window is the schedule's window ending on
 * D − 1 (one day unless the default schedule's input template spans more). A run with exactly that window that
 * publishes on day D is a DELIVERY — the scheduled run, or one started by hand (a manual rescue; late when it
 * publishes after the deadline). Day D's outcome is decided by the first of them. A run of a delivery-shaped window
 * that publishes on a later day is a BACKFILL: it fills the history and never changes day D's outcome. Every other
 * run is AD HOC (an analysis window).
 *
 * A run is classified by the moment it publishes; one that has not published (running, failed, held) by the moment
 * it was created, i.e. by the delivery it was attempting. A run launched by a backfill (lib/backfills) is always a
 * BACKFILL, even for the window due today: an operator rebuilding a range must never decide a day's outcome or
 * replace the default view by accident.
 */
import type { JsonValue } from '@/lib/engine';
import { addDays, localDateOf } from '@/lib/time/zoned-time';
import { deliveryDeadline } from './clock';

export const DELIVERY_KINDS = ['delivery', 'backfill', 'ad_hoc'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const KIND_LABELS: Record<DeliveryKind, string> = { delivery: 'Daily delivery', backfill: 'Backfill', ad_hoc: 'Ad hoc' };

export interface DataWindow {
  start: string;
  end: string;
}

/**
 * The pipeline whose runs are the daily delivery, as the delivery sees it. Its module declares it
 * (PipelineModule.delivery) and lib/runtime hands it over, so nothing here names a pipeline or knows the shape of
 * its input.
 */
export interface DeliveredPipeline {
  namespace: string;
  name: string;
  /** The data window a run's input carries; null when it carries none. */
  windowOf(input: unknown): DataWindow | null;
  /** The input of a run for `window` (backfills, catch-up): the pipeline's defaults for everything else. */
  inputFor(window: DataWindow, options: { recompute: boolean }): JsonValue;
  /**
   * The daily schedule seeded once per database (an operator may edit or delete it). Its input template decides
   * the delivery window's length; its firings are the calendar's scheduled runs.
   */
  schedule: { name: string; cronExpression: string; inputTemplate: JsonValue };
  /**
   * HH:MM local to `timeZone` a day's delivery is due by, and the IANA zone its days are counted in. Each falls back
   * to the deployment's DELIVERY_DEADLINE / DELIVERY_TIMEZONE when the pipeline declares none.
   */
  deadline?: string;
  timeZone?: string;
}

export interface DeliveryPolicy {
  /** The pipeline delivered. */
  pipeline: DeliveredPipeline;
  /** HH:MM local to `timeZone`: a delivery published later on its day is late. */
  deadline: string;
  timeZone: string;
  /** Days the delivery window spans, ending the day before the delivery day. */
  windowDays: number;
  /**
   * When delivery tracking began (the first schedule's creation); null until then. The first tracked day is the
   * day after it, so an install in the middle of a day is not judged on a delivery nobody could have scheduled.
   */
  trackingSince: Date | null;
}

/** The window that the delivery due on local day `day` carries. */
export function deliveryWindow(day: string, policy: Pick<DeliveryPolicy, 'windowDays'>): DataWindow {
  const end = addDays(day, -1);
  return { start: addDays(end, -(policy.windowDays - 1)), end };
}

/** The local day `instant` falls on. */
export function deliveryDayOf(instant: Date, policy: Pick<DeliveryPolicy, 'timeZone'>): string {
  return localDateOf(instant, policy.timeZone);
}

const spanDays = (window: DataWindow) => Math.round((Date.parse(`${window.end}T00:00:00Z`) - Date.parse(`${window.start}T00:00:00Z`)) / 86_400_000) + 1;

/** The kind of a run of `window` that published (or, unpublished, was created) at `at`. */
export function classifyRun(
  window: DataWindow,
  at: Date,
  policy: Pick<DeliveryPolicy, 'timeZone' | 'windowDays'>,
  origin: { fromBackfill?: boolean } = {},
): DeliveryKind {
  if (origin.fromBackfill) return 'backfill';
  const due = deliveryWindow(deliveryDayOf(at, policy), policy);
  if (window.start === due.start && window.end === due.end) return 'delivery';
  if (spanDays(window) === policy.windowDays && window.end < due.end) return 'backfill';
  return 'ad_hoc';
}

/** Whether a delivery published at `publishedAt` for day `day` met the deadline. */
export function isOnTime(day: string, publishedAt: Date, policy: Pick<DeliveryPolicy, 'deadline' | 'timeZone'>): boolean {
  return publishedAt <= deliveryDeadline(day, policy);
}

/** The first local day whose delivery is tracked; null before tracking starts. */
export function firstTrackedDay(policy: Pick<DeliveryPolicy, 'trackingSince' | 'timeZone'>): string | null {
  return policy.trackingSince ? addDays(localDateOf(policy.trackingSince, policy.timeZone), 1) : null;
}
