/**
 * failAttempt: records a failed attempt (error, timeout, lost lease, or released at shutdown) and decides
 * what follows: another attempt after a backoff, or the step's final failure.
 */
import type pg from 'pg';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import { closeAttempt } from './complete-attempt';
import type { SerializedError } from './errors';
import { appendEvents, notifyReady } from './events';
import { settleTask } from './settle-task';
import { withTransaction } from '@/db/transaction';
import { lockTask } from './task-transaction';

/**
 * failed: the handler threw. timed_out: it ran past timeoutMs. lost: its worker stopped heartbeating.
 * released: its worker shut down gracefully before it finished; this does not count against the retry budget.
 */
export type FailureOutcome = 'failed' | 'timed_out' | 'lost' | 'released';

export interface FailAttemptOptions {
  attemptId: number;
  taskId: string;
  outcome: FailureOutcome;
  error: SerializedError;
  backoff: BackoffSettings;
  /** Recovery only: fail the attempt only if its lease is still expired (a late heartbeat wins). */
  onlyIfLeaseExpired?: boolean;
}

export async function failAttempt(pool: pg.Pool, options: FailAttemptOptions): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const task = await lockTask(client, options.taskId);
    if (!task) return false;
    const attempt = await closeAttempt(client, options.attemptId, options.outcome, options.error, {
      onlyIfLeaseExpired: options.onlyIfLeaseExpired,
    });
    if (!attempt) return false;

    const step = await client.query<{ retryable: boolean; retryLimit: number; budgetAttempts: number }>(
      `SELECT retryable, retry_limit AS "retryLimit", budget_attempts AS "budgetAttempts" FROM steps WHERE id = $1`,
      [attempt.stepId],
    );
    const row = step.rows[0];
    if (!row) return false;
    const released = options.outcome === 'released';
    const budgetUsed = released ? row.budgetAttempts - 1 : row.budgetAttempts;
    const willRetry = released || (row.retryable && options.error.retryable && budgetUsed <= row.retryLimit);
    const delayMs = released ? 0 : computeBackoffMs(budgetUsed, options.backoff, options.error.retryAfterMs);
    const lastError = {
      class: options.error.errorClass,
      message: options.error.message,
      retryable: willRetry,
      outcome: options.outcome,
      at: new Date().toISOString(),
    };

    await client.query(
      `UPDATE steps
          SET status = $2::step_status, budget_attempts = $3, last_error = $4::jsonb, updated_at = now(),
              run_after = CASE WHEN $2::text = 'retrying' THEN now() + make_interval(secs => $5::float8 / 1000) END
        WHERE id = $1`,
      [attempt.stepId, willRetry ? 'retrying' : 'failed', budgetUsed, JSON.stringify(lastError), delayMs],
    );
    const eventError = { class: options.error.errorClass, message: options.error.message, retryable: willRetry };
    await appendEvents(client, [
      {
        name: willRetry ? 'step.retrying' : 'step.failed',
        task,
        stepName: attempt.stepName,
        attempt: attempt.attemptNumber,
        durationMs: attempt.durationMs,
        error: eventError,
        extra: {
          outcome: options.outcome,
          ...(willRetry ? { retryInMs: delayMs, nextAttemptAt: new Date(Date.now() + delayMs).toISOString() } : {}),
        },
      },
    ]);
    await settleTask(client, task);
    if (willRetry) await notifyReady(client);
    return true;
  });
}
