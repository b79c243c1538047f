/**
 * failAttempt: records a failed attempt (error, timeout, lost lease, or released at shutdown); the SQL function
 * decides what follows — another attempt after the back-off, or the step's final failure, which blocks everything
 * downstream of it.
 */
import type pg from 'pg';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import type { SerializedError } from './errors';

/**
 * failed: the handler threw. timed_out: it ran past timeoutMs. lost: its worker stopped heartbeating.
 * released: its worker shut down gracefully before it finished; this does not count against the retry budget.
 */
export type FailureOutcome = 'failed' | 'timed_out' | 'lost' | 'released';

export interface FailAttemptOptions {
  attemptId: number;
  /** Attempts counted against the retry budget, this one included (from the claim): sets the back-off. */
  budgetAttempts: number;
  outcome: FailureOutcome;
  error: SerializedError;
  backoff: BackoffSettings;
  /** Recovery only: fail the attempt only if its lease is still expired (a late heartbeat wins). */
  onlyIfLeaseExpired?: boolean;
}

export type FailAttemptResult = 'retrying' | 'failed' | 'fenced';

export async function failAttempt(pool: pg.Pool, options: FailAttemptOptions): Promise<FailAttemptResult> {
  const delayMs = computeBackoffMs(options.budgetAttempts, options.backoff, options.error.retryAfterMs);
  const failed = await pool.query<{ result: FailAttemptResult }>(
    `SELECT nightshift_fail_step($1, $2, $3, $4, $5, $6, $7, $8) AS result`,
    [
      options.attemptId,
      options.outcome,
      options.error.errorClass,
      options.error.message,
      options.error.stack,
      options.error.retryable,
      delayMs,
      options.onlyIfLeaseExpired ?? false,
    ],
  );
  return failed.rows[0]?.result ?? 'fenced';
}
