/** Reads for the console pages and their /api/live/* JSON twins: one function per view, engine queries underneath. */
import { inArray, sql } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { steps } from '@/db/schema';
import { getTask, listTaskEvents, listTasks } from '@/lib/engine';
import { RUNS_PAGE_SIZE, toListTasksFilters, type RunListQuery } from './run-filters';
import { toRunDetail, toRunSummary, type EventView, type RunDetailView, type RunListView } from './views';

/**
 * Steps total / done per task. Counted here rather than taken from listTasks' stepsTotal/stepsDone, which come
 * back as 0 (its correlated subquery compares the steps table's own id column; reported to the engine's owner).
 */
async function stepCounts(db: DbHandle, taskIds: string[]): Promise<Map<string, { total: number; done: number }>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db.db
    .select({
      taskId: steps.taskId,
      total: sql<number>`count(*)::int`,
      done: sql<number>`(count(*) FILTER (WHERE ${steps.status} IN ('completed', 'resolved_manually')))::int`,
    })
    .from(steps)
    .where(inArray(steps.taskId, taskIds))
    .groupBy(steps.taskId);
  return new Map(rows.map((row) => [row.taskId, { total: row.total, done: row.done }]));
}

export async function loadRunList(db: DbHandle, query: RunListQuery): Promise<RunListView> {
  const { tasks, total } = await listTasks(db, toListTasksFilters(query));
  const counts = await stepCounts(db, tasks.map((task) => task.id));
  const runs = tasks.map((task) => {
    const count = counts.get(task.id);
    return toRunSummary({ ...task, stepsTotal: count?.total ?? 0, stepsDone: count?.done ?? 0 });
  });
  return { asOf: new Date().toISOString(), runs, total, page: query.page, pageSize: RUNS_PAGE_SIZE };
}

export async function loadRunDetail(db: DbHandle, taskId: string): Promise<RunDetailView | undefined> {
  const task = await getTask(db, taskId);
  return task ? toRunDetail(task, new Date()) : undefined;
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
