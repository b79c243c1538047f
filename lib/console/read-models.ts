/** Reads for the console pages and their /api/live/* JSON twins: one function per view, engine queries underneath. */
import type { DbHandle } from '@/db/client';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { readRunDeliveries, type RunDelivery } from '@/lib/delivery/runs';
import { getTask, listTaskEvents, listTasks, readStepAttemptLogs, readUnservedTasks } from '@/lib/engine';
import { WORKER_HEARTBEAT_WINDOW_S } from '@/lib/health/readiness';
import { encodeRunCursor } from './run-cursor';
import { RUNS_PAGE_SIZE, toListTasksFilters, type RunListQuery } from './run-filters';
import { toRunDetail, toRunSummary, type AttemptLogView, type EventView, type RunDeliveryFacts, type RunDetailView, type RunListView } from './views';

/** A run's place in `pipeline`'s delivery, as the console shows it (nothing for runs of other pipelines). */
function deliveryFacts(pipeline: DeliveredPipeline, task: { context: unknown }, delivery: RunDelivery | undefined): RunDeliveryFacts {
  if (!delivery) return { window: null, delivery: null };
  return { window: pipeline.windowOf(task.context), delivery: { kind: delivery.kind, outcome: delivery.outcome } };
}

/** The runs list; `delivered` is the pipeline whose runs carry a delivery kind and window. */
export async function loadRunList(db: DbHandle, query: RunListQuery, delivered: DeliveredPipeline): Promise<RunListView> {
  const { tasks, total, newer, older } = await listTasks(db, toListTasksFilters(query));
  const deliveries = await readRunDeliveries(db.pool, tasks, await readDeliveryPolicy(db.pool, delivered));
  const runs = tasks.map((task) => toRunSummary(task, deliveryFacts(delivered, task, deliveries.get(task.id))));
  return {
    asOf: new Date().toISOString(),
    runs,
    total: total.count,
    totalExact: total.exact,
    pageSize: RUNS_PAGE_SIZE,
    newer: newer ? encodeRunCursor(newer) : null,
    older: older ? encodeRunCursor(older) : null,
  };
}

export async function loadRunDetail(db: DbHandle, taskId: string, delivered: DeliveredPipeline): Promise<RunDetailView | undefined> {
  const task = await getTask(db, taskId);
  if (!task) return undefined;
  const delivery = (await readRunDeliveries(db.pool, [task], await readDeliveryPolicy(db.pool, delivered))).get(task.id);
  const detail = toRunDetail(task, new Date(), deliveryFacts(delivered, task, delivery));
  if (task.status !== 'pending' && task.status !== 'running') return detail;
  const unserved = (await readUnservedTasks(db.pool, { aliveWithinSeconds: WORKER_HEARTBEAT_WINDOW_S })).find((row) => row.taskId === task.id);
  return unserved ? { ...detail, unserved: { servedVersions: unserved.servedVersions } } : detail;
}

export async function loadRunEvents(db: DbHandle, taskId: string): Promise<EventView[]> {
  const events = await listTaskEvents(db, taskId);
  return events.map((event) => ({
    id: event.id,
    name: event.name,
    stepName: event.stepName,
    payload: typeof event.payload === 'object' && event.payload !== null ? (event.payload as Record<string, unknown>) : {},
    createdAt: event.createdAt.toISOString(),
  }));
}

/** A step's attempts, newest first, with their log lines; undefined when the run has no attempt of that step. */
export async function loadStepAttemptLogs(db: DbHandle, taskId: string, stepName: string): Promise<AttemptLogView[] | undefined> {
  const attempts = await readStepAttemptLogs(db.pool, taskId, stepName);
  if (attempts.length === 0) return undefined;
  return attempts.map((attempt) => ({
    attemptNumber: attempt.attemptNumber,
    outcome: attempt.outcome,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: attempt.finishedAt?.toISOString() ?? null,
    lines: attempt.lines.map((line) => ({ line: line.line, level: line.level, at: line.loggedAt.toISOString(), message: line.message, fields: line.fields })),
  }));
}
