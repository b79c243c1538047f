/**
 * failAttempt: records a failed attempt (error, timeout, lost lease, or released at shutdown); the SQL function
 * decides what follows — another attempt after the back-off, or the step's final failure, which blocks everything
 * downstream of it.
 */
import type pg from 'pg';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import type { SerializedError } from './errors';

/**
 * failed: the handler threw. timed_out: it ran past timeoutMs. Only these two spend the retry budget.
 * rate_limited: the source said when to come back (RetryableError with retryAfterMs, e.g. HTTP 429 Retry-After).
 * lost: its worker stopped heartbeating, or the database was unreachable. released: its worker shut down gracefully.
 */
export type FailureOutcome = 'failed' | 'timed_out' | 'lost' | 'released' | 'rate_limited';

/** Caps of the attempts that do not spend the retry budget. */
export interface AttemptCaps {
  /** Lost attempts (worker killed, frozen, database unreachable) before the step fails; default 10. */
  maxLostAttempts: number;
  /** Rate-limited attempts before the step fails; default 20. */
  maxRateLimitedAttempts: number;
}

export const DEFAULT_ATTEMPT_CAPS: AttemptCaps = { maxLostAttempts: 10, maxRateLimitedAttempts: 20 };

export interface FailAttemptOptions {
  attemptId: number;
  /** Attempts counted against the retry budget, this one included (from the claim): sets the back-off. */
  budgetAttempts: number;
  outcome: FailureOutcome;
  error: SerializedError;
  backoff: BackoffSettings;
  /** Recovery only: fail the attempt only if its lease is still expired (a late heartbeat wins). */
  onlyIfLeaseExpired?: boolean;
  caps?: AttemptCaps;
}

export type FailAttemptResult = 'retrying' | 'failed' | 'fenced';

export async function failAttempt(pool: pg.Pool, options: FailAttemptOptions): Promise<FailAttemptResult> {
  const delayMs = computeBackoffMs(options.budgetAttempts, options.backoff, options.error.retryAfterMs);
  const caps = options.caps ?? DEFAULT_ATTEMPT_CAPS;
  const failed = await pool.query<{ result: FailAttemptResult }>(
    `SELECT nightshift_fail_step($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS result`,
    [
      options.attemptId,
      options.outcome,
      options.error.errorClass,
      options.error.message,
      options.error.stack,
      options.error.retryable,
      delayMs,
      options.onlyIfLeaseExpired ?? false,
      caps.maxLostAttempts,
      caps.maxRateLimitedAttempts,
    ],
  );
  return failed.rows[0]?.result ?? 'fenced';
}
