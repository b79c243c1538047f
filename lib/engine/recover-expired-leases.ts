/**
 * recoverExpiredLeases: any worker may run it. An open attempt whose lease expired belongs to a worker that died
 * or lost the database for longer than the lease; it is recorded as a "lost" attempt — which does not spend the
 * retry budget, only the lost-attempt cap — and the step is retried or fails. Only open attempts are touched, so a
 * completed step is never run again by recovery. The scan reads the partial index of running steps (an open attempt
 * is always its running step's current one), whose size is the number of steps in flight, not the history.
 */
import type pg from 'pg';
import type { BackoffSettings } from './backoff';
import { failAttempt, type AttemptCaps } from './fail-attempt';

export async function recoverExpiredLeases(pool: pg.Pool, options: { backoff: BackoffSettings; caps?: AttemptCaps; limit?: number }): Promise<number> {
  const expired = await pool.query<{ id: number; workerId: string; leaseExpiresAt: Date; budgetAttempts: number }>(
    // The attempts are read per running step (a lateral subquery the planner may not flatten: OFFSET 0), so the plan
    // cannot turn into a scan of every attempt ever made when the statistics still describe a young, small table.
    `SELECT a.id, a.worker_id AS "workerId", a.lease_expires_at AS "leaseExpiresAt", s.budget_attempts AS "budgetAttempts"
       FROM steps s
      CROSS JOIN LATERAL (SELECT o.id, o.worker_id, o.lease_expires_at FROM step_attempts o
                           WHERE o.id = s.current_attempt_id AND o.finished_at IS NULL AND o.lease_expires_at < now()
                          OFFSET 0) a
      WHERE s.status = 'running'
      ORDER BY a.lease_expires_at
      LIMIT $1`,
    [options.limit ?? 100],
  );
  let recovered = 0;
  for (const attempt of expired.rows) {
    const result = await failAttempt(pool, {
      attemptId: Number(attempt.id),
      budgetAttempts: attempt.budgetAttempts,
      outcome: 'lost',
      onlyIfLeaseExpired: true,
      backoff: options.backoff,
      caps: options.caps,
      error: {
        errorClass: 'LeaseExpiredError',
        message: `Worker ${attempt.workerId} stopped renewing its lease (expired ${attempt.leaseExpiresAt.toISOString()}); the attempt is considered lost`,
        stack: null,
        retryable: true,
        retryAfterMs: undefined,
      },
    });
    if (result !== 'fenced') recovered += 1;
  }
  return recovered;
}
