/** Read helpers for the console and the HTTP API: one task with its steps and attempts, events, workers (the task list: list-tasks.ts). */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { stepAttempts, steps, taskEvents, taskOperations, tasks, workers } from '@/db/schema';
import type { StepAttemptRow, StepRow, TaskEventRow, TaskOperationRow, TaskRow, WorkerRow } from '@/db/schema';

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
