/**
 * Derives a task's status from its steps after any step change (inside the task's lock):
 * completed when every step is completed or resolved manually; failed only when nothing can progress
 * (no step running or retrying, and every pending step has a failed or cancelled step upstream);
 * otherwise running again if an operator revived a finished task.
 */
import type pg from 'pg';
import { appendEvents } from './events';
import type { LockedTask } from './task-transaction';
import type { StepStatus, TaskStatus } from './types';

interface StepGraphRow {
  name: string;
  status: StepStatus;
  dependsOn: string[];
}

const DEAD: ReadonlySet<StepStatus> = new Set(['failed', 'cancelled']);

/** Pending steps that can still run: no failed or cancelled step anywhere upstream. */
export function hasRunnablePendingStep(rows: readonly StepGraphRow[]): boolean {
  const byName = new Map(rows.map((row) => [row.name, row]));
  const blocked = new Map<string, boolean>();
  const isBlocked = (name: string): boolean => {
    const known = blocked.get(name);
    if (known !== undefined) return known;
    const row = byName.get(name);
    const result = !row || DEAD.has(row.status) || row.dependsOn.some(isBlocked);
    blocked.set(name, result);
    return result;
  };
  return rows.some((row) => row.status === 'pending' && !row.dependsOn.some(isBlocked));
}

export async function settleTask(client: pg.ClientBase, task: LockedTask): Promise<TaskStatus> {
  if (task.status === 'cancelled') return task.status;
  const counts = await client.query<{ status: StepStatus; count: number }>(
    `SELECT status, count(*)::int AS count FROM steps WHERE task_id = $1 GROUP BY status`,
    [task.id],
  );
  const count = (status: StepStatus) => counts.rows.find((row) => row.status === status)?.count ?? 0;
  const total = counts.rows.reduce((sum, row) => sum + row.count, 0);

  let next: TaskStatus;
  if (count('completed') + count('resolved_manually') === total) {
    next = 'completed';
  } else if (count('running') + count('retrying') > 0) {
    next = task.status === 'pending' ? 'pending' : 'running';
  } else if (count('pending') === 0) {
    next = 'failed';
  } else {
    const rows = await client.query<StepGraphRow>(
      `SELECT name, status, depends_on AS "dependsOn" FROM steps WHERE task_id = $1`,
      [task.id],
    );
    const canProgress = hasRunnablePendingStep(rows.rows);
    next = canProgress ? (task.status === 'pending' ? 'pending' : 'running') : 'failed';
  }
  if (next === task.status) return next;

  if (next === 'completed' || next === 'failed') {
    const updated = await client.query<{ durationMs: number | null; failedSteps: string[] }>(
      `UPDATE tasks SET status = $2, completed_at = now(), updated_at = now() WHERE id = $1
       RETURNING (extract(epoch FROM now() - coalesce(started_at, created_at)) * 1000)::float8 AS "durationMs",
                 ARRAY(SELECT name FROM steps WHERE task_id = $1 AND status IN ('failed', 'cancelled') ORDER BY position) AS "failedSteps"`,
      [task.id, next],
    );
    const row = updated.rows[0];
    await appendEvents(client, [
      {
        name: next === 'completed' ? 'task.completed' : 'task.failed',
        task,
        durationMs: row?.durationMs ?? undefined,
        extra: next === 'failed' ? { failedSteps: row?.failedSteps ?? [] } : undefined,
      },
    ]);
  } else {
    await client.query(`UPDATE tasks SET status = $2, completed_at = NULL, updated_at = now() WHERE id = $1`, [task.id, next]);
  }
  task.status = next;
  return next;
}
