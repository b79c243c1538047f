/** Reads for the console pages and their /api/live/* JSON twins: one function per view, engine queries underneath. */
import type { DbHandle } from '@/db/client';
import { getTask, listTaskEvents, listTasks } from '@/lib/engine';
import { RUNS_PAGE_SIZE, toListTasksFilters, type RunListQuery } from './run-filters';
import { toRunDetail, toRunSummary, type EventView, type RunDetailView, type RunListView } from './views';

export async function loadRunList(db: DbHandle, query: RunListQuery): Promise<RunListView> {
  const { tasks, total } = await listTasks(db, toListTasksFilters(query));
  const runs = tasks.map((task) => toRunSummary(task));
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
