/**
 * The dashboard's, the delivery calendar's and the public status's answers, computed once per data version and kept
 * in memory (./answer-cache.ts, versioned as ./change-feed.ts explains). Wraps the read models of lib/dashboard,
 * lib/delivery and lib/status without changing them: pages and routes ask here instead of calling them directly.
 */
import type pg from 'pg';
import { getDb } from '@/lib/database';
import { loadDashboardNow, readOncePerRun, type DashboardLoad, type DashboardQuery, type ExecutiveSummaryReader } from '@/lib/dashboard';
import { loadCurrentCalendar, readDeliveryCalendar, type CalendarQuery, type CalendarView } from '@/lib/delivery/calendar';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import type { LiveHub } from '@/lib/live/hub';
import { liveHub } from '@/lib/live/server-hub';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { executiveSummaryReader } from '@/lib/runtime/executive-summary';
import { createProcessLogger } from '@/lib/runtime/logger';
import { deliveredPipeline } from '@/lib/runtime/registry';
import { loadPublicStatus, type PublicStatus } from '@/lib/status';
import type { PipelineRef } from '@/lib/engine';
import { loadReliability } from '@/lib/reliability/load';
import type { ReliabilityReport, SloQuery } from '@/lib/reliability/slo';
import { env } from '@/lib/env';
import { pipelineModules } from '@/lib/runtime/registry';
import { createAnswerCache, type Answer } from './answer-cache';
import { createChangeFeed, readStoredVersion } from './change-feed';

export type { Answer } from './answer-cache';
export { answerResponse } from './http';

/**
 * The answers show the clock too (a snapshot turns stale at midnight, a delivery late at the deadline): an
 * unchanged answer is recomputed after this long. The status route tells clients the same max-age.
 */
export const ANSWER_MAX_AGE_MS = 30_000;

export interface CachedAnswers {
  dashboard(query: DashboardQuery): Promise<Answer<DashboardLoad>>;
  /** A range of the delivery calendar, or without one the month of today in the delivery time zone. */
  calendar(query?: CalendarQuery): Promise<Answer<CalendarView>>;
  /** What `/` shows: the dashboard and the current calendar month, at one data version read once. */
  dashboardPage(query: DashboardQuery): Promise<{ dashboard: Answer<DashboardLoad>; calendar: Answer<CalendarView> }>;
  status(): Promise<Answer<PublicStatus>>;
  /** A pipeline's reliability report (lib/reliability), or null for a pipeline this deployment does not serve. */
  reliability(query: SloQuery): Promise<Answer<ReliabilityReport> | null>;
  reliabilityPipelines(): string[];
  close(): void;
}

export interface CachedAnswersOptions {
  pool: pg.Pool;
  /** The pipeline whose delivery the dashboard, the calendar and the status page show. */
  delivered: DeliveredPipeline;
  /** The delivered pipeline's executive summary of a run, for the dashboard's "Needs attention today". */
  readExecutiveSummary: ExecutiveSummaryReader;
  hub: LiveHub;
  /** Every pipeline served (the reliability page's choices); the delivered one when omitted. */
  pipelines?: readonly PipelineRef[];
  /** The zone a pipeline without a delivery counts its days in (DELIVERY_TIMEZONE). */
  timeZone?: string;
  maxAgeMs?: number;
  now?: () => number;
  onError?(message: string): void;
}

export function createCachedAnswers(options: CachedAnswersOptions): CachedAnswers {
  const feed = createChangeFeed(options.hub, { now: options.now });
  const settings = { maxAgeMs: options.maxAgeMs ?? ANSWER_MAX_AGE_MS, now: options.now, onError: options.onError };
  const dashboards = createAnswerCache<DashboardLoad>(settings);
  const calendars = createAnswerCache<CalendarView>({ ...settings, maxEntries: 32 });
  const statuses = createAnswerCache<PublicStatus>({ ...settings, maxEntries: 1 });
  const reliabilities = createAnswerCache<ReliabilityReport>({ ...settings, maxEntries: 32 });
  const deliveredName = `${options.delivered.namespace}.${options.delivered.name}`;
  const served = new Map((options.pipelines ?? [options.delivered]).map((pipeline) => [`${pipeline.namespace}.${pipeline.name}`, pipeline]));
  served.set(deliveredName, options.delivered);
  // A run's summary changes only with a new publish (a new run): read once per run, not once per recomputation.
  const readExecutiveSummary = readOncePerRun(options.readExecutiveSummary);
  // Read per request, never shared between requests: a request that arrives after a publish must see its version.
  const version = async () => `${await readStoredVersion(options.pool)}|${feed.generation()}`;
  const dashboardAt = (query: DashboardQuery, current: string) =>
    dashboards.get(`${query.snapshot ?? 'current'}:${query.sort}:${query.dir}:${query.page}`, current, () =>
      loadDashboardNow(options.pool, options.delivered, query, readExecutiveSummary),
    );
  const currentCalendarAt = (current: string) => calendars.get('current', current, () => loadCurrentCalendar(options.pool, options.delivered));
  return {
    async dashboard(query) {
      return dashboardAt(query, await version());
    },
    async dashboardPage(query) {
      const current = await version();
      const [dashboard, calendar] = await Promise.all([dashboardAt(query, current), currentCalendarAt(current)]);
      return { dashboard, calendar };
    },
    async calendar(query) {
      const { pool } = options;
      if (!query) return currentCalendarAt(await version());
      return calendars.get(`${query.from}:${query.to}`, await version(), async () => readDeliveryCalendar(pool, await readDeliveryPolicy(pool, options.delivered), query));
    },
    async status() {
      return statuses.get('status', await version(), () => loadPublicStatus(options.pool, new Date(), options.delivered));
    },
    async reliability(query) {
      const name = query.pipeline ?? deliveredName;
      const pipeline = served.get(name);
      if (!pipeline) return null;
      return reliabilities.get(`${name}:${query.days}`, await version(), async () => {
        const delivery = name === deliveredName ? await readDeliveryPolicy(options.pool, options.delivered) : null;
        const timeZone = delivery?.timeZone ?? options.timeZone ?? env().DELIVERY_TIMEZONE;
        return loadReliability(options.pool, { pipeline, delivery, timeZone }, new Date(), query.days);
      });
    },
    /** The pipelines a reliability report can be asked for, delivered one first. */
    reliabilityPipelines() {
      return [deliveredName, ...[...served.keys()].filter((name) => name !== deliveredName).sort()];
    },
    close() {
      feed.close();
      dashboards.clear();
      calendars.clear();
      statuses.clear();
      reliabilities.clear();
    },
  };
}

const globalForAnswers = globalThis as typeof globalThis & { nightshiftAnswers?: CachedAnswers };

/** The web process's answers, on the shared pool and live hub; cached on globalThis so dev reloads reuse them. */
export function cachedAnswers(): CachedAnswers {
  if (!globalForAnswers.nightshiftAnswers) {
    const logger = createProcessLogger('nightshift-answers');
    globalForAnswers.nightshiftAnswers = createCachedAnswers({
      pool: getDb().pool,
      delivered: deliveredPipeline(),
      readExecutiveSummary: executiveSummaryReader(getDb()),
      hub: liveHub(),
      pipelines: pipelineModules().flatMap((module) => module.definitions.map(({ namespace, name }) => ({ namespace, name }))),
      onError: (message) => logger.warn({}, message),
    });
  }
  return globalForAnswers.nightshiftAnswers;
}

/** The reliability report of every served pipeline over its last 30 days (its 7/30/90-day periods are the gauges'). */
export async function readServedReliabilityReports(): Promise<ReliabilityReport[]> {
  const answers = cachedAnswers();
  const reports = await Promise.all(answers.reliabilityPipelines().map((pipeline) => answers.reliability({ pipeline, days: 30 })));
  return reports.flatMap((answer) => (answer ? [answer.value] : []));
}
