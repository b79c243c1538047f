/** completeAttempt: records a successful attempt and its result, and lets dependents and the task move on. */
import type pg from 'pg';
import { summarizeResult } from './events';
import type { JsonValue } from './types';

/**
 * One call to nightshift_complete_step (drizzle/0009_engine_functions.sql). Returns how many dependents became
 * ready, or undefined when the attempt was fenced off (cancelled, lease declared lost, superseded): its outcome is void.
 */
export async function completeAttempt(
  pool: pg.Pool,
  options: { attemptId: number; result: JsonValue; resultJson: string },
): Promise<number | undefined> {
  const completed = await pool.query<{ ready: number }>(`SELECT nightshift_complete_step($1, $2::jsonb, $3) AS ready`, [
    options.attemptId,
    options.resultJson,
    summarizeResult(options.result),
  ]);
  const ready = completed.rows[0]?.ready ?? -1;
  return ready < 0 ? undefined : ready;
}
