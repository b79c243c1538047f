/**
 * recoverExpiredLeases: any worker may run it. An open attempt whose lease expired belongs to a worker
 * that died or lost the database for longer than the lease; it is recorded as a failed ("lost") attempt
 * that counts against the retry budget, and the step is retried or fails. Only open attempts are
 * touched, so a completed step is never run again by recovery.
 */
import type pg from 'pg';
import type { BackoffSettings } from './backoff';
import { failAttempt } from './fail-attempt';

export async function recoverExpiredLeases(pool: pg.Pool, options: { backoff: BackoffSettings; limit?: number }): Promise<number> {
  const expired = await pool.query<{ id: number; taskId: string; workerId: string; leaseExpiresAt: Date }>(
    `SELECT id, task_id AS "taskId", worker_id AS "workerId", lease_expires_at AS "leaseExpiresAt"
       FROM step_attempts
      WHERE finished_at IS NULL AND lease_expires_at < now()
      ORDER BY lease_expires_at
      LIMIT $1`,
    [options.limit ?? 100],
  );
  let recovered = 0;
  for (const attempt of expired.rows) {
    const failed = await failAttempt(pool, {
      attemptId: Number(attempt.id),
      taskId: attempt.taskId,
      outcome: 'lost',
      onlyIfLeaseExpired: true,
      backoff: options.backoff,
      error: {
        errorClass: 'LeaseExpiredError',
        message: `Worker ${attempt.workerId} stopped renewing its lease (expired ${attempt.leaseExpiresAt.toISOString()}); the attempt is considered lost`,
        stack: null,
        retryable: true,
        retryAfterMs: undefined,
      },
    });
    if (failed) recovered += 1;
  }
  return recovered;
}
