/** completeAttempt: records a successful attempt and its result, then lets dependents and the task move on. */
import type pg from 'pg';
import { appendEvents, notifyReady } from './events';
import { settleTask } from './settle-task';
import { withTransaction } from '@/db/transaction';
import { lockTask } from './task-transaction';
import type { JsonValue } from './types';

export interface FinishedAttempt {
  stepId: string;
  stepName: string;
  attemptNumber: number;
  durationMs: number;
}

/**
 * Marks the attempt's outcome if it is still open, inside the task's lock. Returns undefined when someone
 * else already closed it (cancelled, or declared lost after its lease expired): the caller's outcome is void.
 */
export async function closeAttempt(
  client: pg.ClientBase,
  attemptId: number,
  outcome: string,
  error: { errorClass: string; message: string; stack: string | null } | null,
  options: { onlyIfLeaseExpired?: boolean } = {},
): Promise<FinishedAttempt | undefined> {
  const closed = await client.query<FinishedAttempt>(
    `UPDATE step_attempts
        SET finished_at = now(), outcome = $2, error_class = $3, error_message = $4, error_stack = $5
      WHERE id = $1 AND finished_at IS NULL ${options.onlyIfLeaseExpired ? 'AND lease_expires_at < now()' : ''}
      RETURNING step_id AS "stepId", step_name AS "stepName", attempt_number AS "attemptNumber",
                (extract(epoch FROM finished_at - started_at) * 1000)::float8 AS "durationMs"`,
    [attemptId, outcome, error?.errorClass ?? null, error?.message ?? null, error?.stack ?? null],
  );
  return closed.rows[0];
}

export async function completeAttempt(
  pool: pg.Pool,
  options: { attemptId: number; taskId: string; result: JsonValue; resultJson: string },
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const task = await lockTask(client, options.taskId);
    if (!task) return false;
    const attempt = await closeAttempt(client, options.attemptId, 'completed', null);
    if (!attempt) return false;
    await client.query(
      `UPDATE steps SET status = 'completed', result = $2::jsonb, completed_at = now(), run_after = NULL, updated_at = now()
        WHERE id = $1`,
      [attempt.stepId, options.resultJson],
    );
    await appendEvents(client, [
      {
        name: 'step.completed',
        task,
        stepName: attempt.stepName,
        attempt: attempt.attemptNumber,
        durationMs: attempt.durationMs,
        result: options.result,
      },
    ]);
    await settleTask(client, task);
    await notifyReady(client);
    return true;
  });
}
