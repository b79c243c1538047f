/**
 * What the backfill page and the API show: the backfill, one row per day with its run's state (from the engine's
 * read API), the counts, and an ETA from the step-duration history. Reads only: two queries on backfill tables
 * (by primary key and by the days' index) plus the engine's read API.
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { readRunDeliveries, type RunOutcome } from '@/lib/delivery/runs';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { readRunsFacts, readStepDurationMedians, readTaskSteps, type TaskStatus } from '@/lib/engine';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import type { BackfillPipelines } from './request';
import { HISTORY_RUNS, remainingCriticalPath } from '@/lib/scheduling/eta';
import { estimateBackfillRemainingMs } from './eta';

export const DAY_STATES = ['waiting', 'running', 'completed', 'failed', 'cancelled', 'skipped'] as const;
export type DayState = (typeof DAY_STATES)[number];

export interface BackfillDayView {
  day: string;
  window: { start: string; end: string };
  state: DayState;
  /** Waiting for a slot to retry its failed run. */
  retryQueued: boolean;
  taskId: string | null;
  runStatus: TaskStatus | null;
  stepsDone: number;
  stepsTotal: number;
  startedAt: string | null;
  completedAt: string | null;
  outcome: RunOutcome | null;
  /** The published snapshot a skipped day already had. */
  skippedSnapshotId: number | null;
}

export type BackfillCounts = Record<DayState, number> & { total: number };

export interface BackfillView {
  id: string;
  pipeline: string;
  startDate: string;
  endDate: string;
  maxParallel: number;
  rebuildPublished: boolean;
  reason: string;
  requestedBy: string;
  origin: 'operator' | 'catch_up';
  status: 'active' | 'finished' | 'cancelled';
  createdAt: string;
  finishedAt: string | null;
  counts: BackfillCounts;
  eta: { at: string; remainingMs: number; historyRuns: number } | null;
  days: BackfillDayView[];
  asOf: string;
}

export type BackfillSummary = Omit<BackfillView, 'days' | 'eta' | 'asOf'>;

interface BackfillRow {
  id: string;
  namespace: string;
  pipelineName: string;
  startDate: string;
  endDate: string;
  maxParallel: number;
  rebuildPublished: boolean;
  reason: string;
  requestedBy: string;
  origin: 'operator' | 'catch_up';
  status: 'active' | 'finished' | 'cancelled';
  createdAt: Date;
  finishedAt: Date | null;
}

interface DayRow {
  backfillId: string;
  day: string;
  windowStart: string;
  windowEnd: string;
  state: 'waiting' | 'launched' | 'skipped' | 'cancelled';
  taskId: string | null;
  skippedSnapshotId: number | null;
}

const BACKFILL_COLUMNS = `id, namespace, pipeline_name AS "pipelineName", start_date::text AS "startDate", end_date::text AS "endDate",
  max_parallel AS "maxParallel", rebuild_published AS "rebuildPublished", reason, requested_by AS "requestedBy", origin, status,
  created_at AS "createdAt", finished_at AS "finishedAt"`;

const DAY_COLUMNS = `backfill_id AS "backfillId", day::text AS day, window_start::text AS "windowStart", window_end::text AS "windowEnd",
  state, task_id AS "taskId", skipped_snapshot_id AS "skippedSnapshotId"`;

function dayState(row: DayRow, runStatus: TaskStatus | null): DayState {
  if (row.state === 'skipped' || row.state === 'cancelled' || row.state === 'waiting') return row.state;
  switch (runStatus) {
    case 'completed':
    case 'failed':
    case 'cancelled':
      return runStatus;
    default:
      return 'running';
  }
}

async function dayViews(pool: pg.Pool, delivered: DeliveredPipeline, rows: readonly DayRow[]): Promise<Map<string, BackfillDayView[]>> {
  const runs = await readRunsFacts(pool, rows.flatMap((row) => (row.taskId ? [row.taskId] : [])));
  const facts = new Map(runs.map((run) => [run.id, run]));
  const deliveries = runs.length > 0 ? await readRunDeliveries(pool, runs, await readDeliveryPolicy(pool, delivered)) : new Map();
  const byBackfill = new Map<string, BackfillDayView[]>();
  for (const row of rows) {
    const run = row.taskId ? facts.get(row.taskId) : undefined;
    const view: BackfillDayView = {
      day: row.day,
      window: { start: row.windowStart, end: row.windowEnd },
      state: dayState(row, run?.status ?? null),
      retryQueued: row.state === 'waiting' && row.taskId !== null,
      taskId: row.taskId,
      runStatus: run?.status ?? null,
      stepsDone: run?.stepsDone ?? 0,
      stepsTotal: run?.stepsTotal ?? 0,
      startedAt: run?.startedAt?.toISOString() ?? null,
      completedAt: run?.completedAt?.toISOString() ?? null,
      outcome: (row.taskId && deliveries.get(row.taskId)?.outcome) ?? null,
      skippedSnapshotId: row.skippedSnapshotId,
    };
    byBackfill.set(row.backfillId, [...(byBackfill.get(row.backfillId) ?? []), view]);
  }
  return byBackfill;
}

function countDays(days: readonly BackfillDayView[]): BackfillCounts {
  const counts: BackfillCounts = { total: days.length, waiting: 0, running: 0, completed: 0, failed: 0, cancelled: 0, skipped: 0 };
  for (const day of days) counts[day.state] += 1;
  return counts;
}

function summary(row: BackfillRow, days: readonly BackfillDayView[]): BackfillSummary {
  const counts = countDays(days);
  // The promoter marks a backfill finished when it next looks (its last run's completion event); a reader that
  // arrives first already sees nothing left to run, and must not show "in progress" until some later change.
  const settled = row.status === 'active' && counts.waiting === 0 && counts.running === 0;
  return {
    id: row.id,
    pipeline: `${row.namespace}.${row.pipelineName}`,
    startDate: row.startDate,
    endDate: row.endDate,
    maxParallel: row.maxParallel,
    rebuildPublished: row.rebuildPublished,
    reason: row.reason,
    requestedBy: row.requestedBy,
    origin: row.origin,
    status: settled ? 'finished' : row.status,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    counts,
  };
}

async function estimate(db: DbHandle, pipelines: BackfillPipelines, row: BackfillRow, days: readonly BackfillDayView[], now: Date): Promise<BackfillView['eta']> {
  const waiting = days.filter((day) => day.state === 'waiting').length;
  const running = days.filter((day) => day.state === 'running' && day.taskId);
  if (row.status !== 'active' || waiting + running.length === 0) return null;
  const definition = pipelines.registry.get(row.namespace, row.pipelineName);
  if (!definition) return null;
  const history = await readStepDurationMedians(db.pool, { namespace: row.namespace, name: row.pipelineName }, { excludeTaskId: null, runs: HISTORY_RUNS });
  if (history.runs === 0) return null;
  const fresh = definition.steps.map((step) => ({ name: step.name, status: 'pending' as const, dependsOn: step.dependsOn, startedAt: null }));
  const perRunMs = remainingCriticalPath(fresh, history.medians, now).remainingMs;
  const runningRemainingMs = await Promise.all(
    running.map(async (day) => remainingCriticalPath(await readTaskSteps(db.pool, day.taskId ?? ''), history.medians, now).remainingMs),
  );
  const remainingMs = estimateBackfillRemainingMs({ runningRemainingMs, waiting, perRunMs, maxParallel: row.maxParallel });
  return { at: new Date(now.getTime() + remainingMs).toISOString(), remainingMs, historyRuns: history.runs };
}

export async function loadBackfill(db: DbHandle, pipelines: BackfillPipelines, backfillId: string, now: Date = new Date()): Promise<BackfillView | null> {
  const found = await db.pool.query<BackfillRow>(`SELECT ${BACKFILL_COLUMNS} FROM backfills WHERE id = $1`, [backfillId]);
  const row = found.rows[0];
  if (!row) return null;
  const dayRows = await db.pool.query<DayRow>(`SELECT ${DAY_COLUMNS} FROM backfill_days WHERE backfill_id = $1 ORDER BY day`, [backfillId]);
  const days = (await dayViews(db.pool, pipelines.delivered, dayRows.rows)).get(backfillId) ?? [];
  return { ...summary(row, days), eta: await estimate(db, pipelines, row, days, now), days, asOf: now.toISOString() };
}

/** The newest backfills with their counts. */
export async function listBackfills(db: DbHandle, delivered: DeliveredPipeline, options: { limit: number }): Promise<BackfillSummary[]> {
  const found = await db.pool.query<BackfillRow>(`SELECT ${BACKFILL_COLUMNS} FROM backfills ORDER BY created_at DESC LIMIT $1`, [options.limit]);
  if (found.rows.length === 0) return [];
  const dayRows = await db.pool.query<DayRow>(`SELECT ${DAY_COLUMNS} FROM backfill_days WHERE backfill_id = ANY ($1::uuid[]) ORDER BY day`, [
    found.rows.map((row) => row.id),
  ]);
  const days = await dayViews(db.pool, delivered, dayRows.rows);
  return found.rows.map((row) => summary(row, days.get(row.id) ?? []));
}
