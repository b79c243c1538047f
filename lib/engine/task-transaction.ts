/**
 * Every engine transaction that changes a task's state runs through here: it takes the task's advisory
 * lock FIRST, before any write, and only then reads the task.
 *
 * Why first: the event outbox is delivered in (transaction id, event id) order, and PostgreSQL assigns a
 * transaction id at its first write. Taking the per-task lock before any write means a transaction that
 * waits for another one on the same task gets a larger transaction id than the one it waited for, so
 * for each task the delivery order equals the commit order (see dispatcher.ts). Advisory locks themselves
 * assign no transaction id, which a row lock (SELECT … FOR UPDATE) would.
 */
import type pg from 'pg';
import type { TaskStatus } from './types';

/** First key of the engine's two-key advisory locks; the second is hashtext(task id). */
const TASK_LOCK_CLASS = 74_321;

export interface LockedTask {
  id: string;
  namespace: string;
  name: string;
  version: string;
  status: TaskStatus;
  startedAt: Date | null;
  createdAt: Date;
}

/**
 * Locks the tasks (in lock-key order, so two transactions locking several tasks cannot deadlock) and reads them.
 * With `skipBusy`, tasks another transaction holds are left out (try-lock), unless all are busy: then it waits
 * for the first. Claims use it so that workers spread over tasks instead of queueing behind one.
 */
export async function lockTasks(
  client: pg.ClientBase,
  taskIds: readonly string[],
  options: { skipBusy?: boolean } = {},
): Promise<Map<string, LockedTask>> {
  const unique = [...new Set(taskIds)];
  if (unique.length === 0) return new Map();
  const keys = await client.query<{ id: string; key: number }>(
    `SELECT id, hashtext(id) AS key FROM unnest($1::text[]) AS id ORDER BY key`,
    [unique],
  );
  const locked: string[] = [];
  const held = new Set<number>();
  for (const { id, key } of keys.rows) {
    if (held.has(key)) {
      locked.push(id);
    } else if (options.skipBusy) {
      const tried = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [TASK_LOCK_CLASS, key]);
      if (tried.rows[0]?.ok) {
        held.add(key);
        locked.push(id);
      }
    } else {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [TASK_LOCK_CLASS, key]);
      held.add(key);
      locked.push(id);
    }
  }
  const first = keys.rows[0];
  if (locked.length === 0 && first) {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [TASK_LOCK_CLASS, first.key]);
    locked.push(first.id);
  }
  const rows = await client.query<LockedTask>(
    `SELECT id, namespace, name, version, status, started_at AS "startedAt", created_at AS "createdAt"
       FROM tasks WHERE id = ANY($1::uuid[])`,
    [locked],
  );
  return new Map(rows.rows.map((row) => [row.id, row]));
}

export async function lockTask(client: pg.ClientBase, taskId: string): Promise<LockedTask | undefined> {
  return (await lockTasks(client, [taskId])).get(taskId);
}
