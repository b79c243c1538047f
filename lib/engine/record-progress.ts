/**
 * recordProgress: persists a step's latest progress and writes a step.progress event, in one statement that
 * touches only the running step's row — it never waits for, or holds up, claims and completions of the task's
 * other steps. Fenced: only the step's current attempt may report. The worker announces it (announcer.ts).
 */
import type pg from 'pg';

export async function recordProgress(
  pool: pg.Pool,
  options: { attemptId: number; stepId: string; message: string; percent: number | null },
): Promise<boolean> {
  const recorded = await pool.query(
    `WITH updated AS (
       UPDATE steps SET progress_message = $3, progress_percent = $4, progress_updated_at = now(), updated_at = now()
        WHERE id = $2 AND current_attempt_id = $1 AND status = 'running'
       RETURNING task_id, name, attempt_count
     )
     INSERT INTO task_events (task_id, name, step_name, payload)
     SELECT u.task_id, 'step.progress', u.name,
            jsonb_build_object('namespace', t.namespace, 'taskName', t.name, 'taskId', t.id, 'stepName', u.name,
                               'attempt', u.attempt_count, 'message', $3::text, 'percent', $4::real)
       FROM updated u JOIN tasks t ON t.id = u.task_id`,
    [options.attemptId, options.stepId, options.message, options.percent],
  );
  return (recorded.rowCount ?? 0) > 0;
}
