/**
 * The orders database's injected fault: before a batch, with the chaos failure rate's probability, a second
 * connection asks the server to terminate the reader's backend (pg_terminate_backend). The reader's next query
 * then fails with the server's own error (57P01 "terminating connection due to administrator command"), exactly
 * as it would when a database fails over or an operator kills the session.
 */
import type pg from 'pg';
import type { Database } from '@/db/client';
import { readOrdersDbFailureRate } from './chaos';

/**
 * With probability `failureRate`, a connection from `pool` has the server terminate backend `pid`. Returns whether
 * it struck.
 */
export async function maybeTerminateBackend(pool: pg.Pool, pid: number, failureRate: number, random: () => number = Math.random): Promise<boolean> {
  if (failureRate <= 0 || random() >= failureRate) return false;
  // The timeout argument makes the call wait until the backend has really exited.
  await pool.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
  return true;
}

/** The hook the pipeline's orders reader calls with its backend pid: reads the live setting every time. */
export function ordersFaultInjector(settings: Database, ordersPool: pg.Pool): (pid: number) => Promise<void> {
  return async (pid) => {
    await maybeTerminateBackend(ordersPool, pid, await readOrdersDbFailureRate(settings));
  };
}
