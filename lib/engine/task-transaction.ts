/**
 * The task row lock that orders every writer of a task's state: completion and failure (inside their SQL
 * functions, drizzle/0009_engine_functions.sql), operator operations and cancel (here). Claims never wait for
 * it. Locking the task row first, before any step row, gives every such transaction the same lock order, so they
 * cannot deadlock with one another, and each sees the previous writer's committed steps.
 */
import type pg from 'pg';
import type { TaskStatus } from './types';

export interface LockedTask {
  id: string;
  namespace: string;
  name: string;
  version: string;
  status: TaskStatus;
  startedAt: Date | null;
  createdAt: Date;
}

export async function lockTask(client: pg.ClientBase, taskId: string): Promise<LockedTask | undefined> {
  const rows = await client.query<LockedTask>(
    `SELECT id, namespace, name, version, status, started_at AS "startedAt", created_at AS "createdAt"
       FROM tasks WHERE id = $1 FOR NO KEY UPDATE`,
    [taskId],
  );
  return rows.rows[0];
}
