/** Read helpers for the console and the HTTP API: one task with its steps and attempts, events, workers (the task list: list-tasks.ts). */
import { asc, desc, eq } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { stepAttempts, steps, taskOperations, tasks, workers } from '@/db/schema';
import { EVENT_PAYLOAD_SQL } from './event-payload';
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
  const { rows } = await db.pool.query<TaskEventRow>(
    `SELECT e.id, e.task_id AS "taskId", e.name, e.step_name AS "stepName", ${EVENT_PAYLOAD_SQL} AS payload, e.created_at AS "createdAt"
       FROM task_events e LEFT JOIN tasks t ON t.id = e.task_id
      WHERE e.task_id = $1 AND e.id > $2
      ORDER BY e.id
      LIMIT $3`,
    [taskId, options.afterId ?? 0, Math.min(Math.max(options.limit ?? 1000, 1), 10_000)],
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function listWorkers(db: DbHandle): Promise<WorkerRow[]> {
  return db.db.select().from(workers).orderBy(desc(workers.lastHeartbeatAt));
}
