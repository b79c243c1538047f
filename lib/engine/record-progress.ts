/** recordProgress: persists a step's latest progress and writes a step.progress event (throttled by the worker). */
import type pg from 'pg';
import { appendEvents } from './events';
import { withTransaction } from '@/db/transaction';
import { lockTask } from './task-transaction';

export async function recordProgress(
  pool: pg.Pool,
  options: { attemptId: number; taskId: string; message: string; percent: number | null },
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const task = await lockTask(client, options.taskId);
    if (!task) return false;
    const updated = await client.query<{ stepName: string; attemptNumber: number }>(
      `UPDATE steps s SET progress_message = $2, progress_percent = $3, progress_updated_at = now(), updated_at = now()
         FROM step_attempts a
        WHERE a.id = $1 AND a.finished_at IS NULL AND s.id = a.step_id
        RETURNING s.name AS "stepName", a.attempt_number AS "attemptNumber"`,
      [options.attemptId, options.message, options.percent],
    );
    const row = updated.rows[0];
    if (!row) return false;
    await appendEvents(client, [
      {
        name: 'step.progress',
        task,
        stepName: row.stepName,
        attempt: row.attemptNumber,
        extra: { message: options.message, percent: options.percent },
      },
    ]);
    return true;
  });
}
