/** Read helpers for the console and the HTTP API: one task with its steps and attempts, task lists, events, workers. */
import { and, asc, count, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { stepAttempts, steps, taskEvents, taskOperations, tasks, workers } from '@/db/schema';
import type { StepAttemptRow, StepRow, TaskEventRow, TaskOperationRow, TaskRow, WorkerRow } from '@/db/schema';
import type { TaskStatus } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isTaskId = (value: string) => UUID.test(value);

export type StepWithAttempts = StepRow & { attempts: StepAttemptRow[] };
export type TaskDetail = TaskRow & { steps: StepWithAttempts[]; operations: TaskOperationRow[] };

/** The task with its steps (declaration order) and every attempt (in order); undefined for an unknown or malformed id. */
export async function getTask(db: DbHandle, taskId: string): Promise<TaskDetail | undefined> {
  if (!isTaskId(taskId)) return undefined;
  const task = await db.db.query.tasks.findFirst({
    where: eq(tasks.id, taskId),
    with: {
      steps: {
        orderBy: [asc(steps.position)],
        with: { attempts: { orderBy: [asc(stepAttempts.attemptNumber)] } },
      },
    },
  });
  if (!task) return undefined;
  const operations = await db.db.select().from(taskOperations).where(eq(taskOperations.taskId, taskId)).orderBy(asc(taskOperations.id));
  return { ...task, operations };
}

export interface ListTasksFilters {
  status?: TaskStatus | TaskStatus[];
  namespace?: string;
  name?: string;
  version?: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** 1..200, default 50. */
  limit?: number;
  offset?: number;
}

export type TaskSummary = TaskRow & { stepsTotal: number; stepsDone: number };

/** Newest first, with step counts for progress bars. */
export async function listTasks(db: DbHandle, filters: ListTasksFilters = {}): Promise<{ tasks: TaskSummary[]; total: number }> {
  const conditions: SQL[] = [];
  if (filters.status !== undefined) {
    conditions.push(inArray(tasks.status, Array.isArray(filters.status) ? filters.status : [filters.status]));
  }
  if (filters.namespace !== undefined) conditions.push(eq(tasks.namespace, filters.namespace));
  if (filters.name !== undefined) conditions.push(eq(tasks.name, filters.name));
  if (filters.version !== undefined) conditions.push(eq(tasks.version, filters.version));
  if (filters.createdFrom !== undefined) conditions.push(gte(tasks.createdAt, filters.createdFrom));
  if (filters.createdTo !== undefined) conditions.push(lte(tasks.createdAt, filters.createdTo));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const limit = Math.min(Math.max(filters.limit ?? 50, 1), 200);

  const rows = await db.db
    .select({
      task: tasks,
      // Qualified by hand: inside the subquery drizzle would render ${tasks.id} as a bare "id", i.e. the step's id.
      stepsTotal: sql<number>`(SELECT count(*)::int FROM steps s WHERE s.task_id = "tasks"."id")`,
      stepsDone: sql<number>`(SELECT count(*)::int FROM steps s WHERE s.task_id = "tasks"."id" AND s.status IN ('completed', 'resolved_manually'))`,
    })
    .from(tasks)
    .where(where)
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit)
    .offset(Math.max(filters.offset ?? 0, 0));
  const [totalRow] = await db.db.select({ total: count() }).from(tasks).where(where);
  return {
    tasks: rows.map((row) => ({ ...row.task, stepsTotal: row.stepsTotal, stepsDone: row.stepsDone })),
    total: totalRow?.total ?? 0,
  };
}

/** The task's outbox events in order; `afterId` pages forward. */
export async function listTaskEvents(db: DbHandle, taskId: string, options: { afterId?: number; limit?: number } = {}): Promise<TaskEventRow[]> {
  if (!isTaskId(taskId)) return [];
  return db.db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), sql`${taskEvents.id} > ${options.afterId ?? 0}`))
    .orderBy(asc(taskEvents.id))
    .limit(Math.min(Math.max(options.limit ?? 1000, 1), 10_000));
}

export async function listWorkers(db: DbHandle): Promise<WorkerRow[]> {
  return db.db.select().from(workers).orderBy(desc(workers.lastHeartbeatAt));
}
