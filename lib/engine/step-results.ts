/** Reads for completing a step by hand (lib/console/operations.ts): a run's pinned pipeline, and a step's last good result. */
import type pg from 'pg';
import type { JsonValue } from './types';

export async function readTaskPipeline(pool: pg.Pool, taskId: string): Promise<{ namespace: string; name: string; version: string } | undefined> {
  const task = await pool.query<{ namespace: string; name: string; version: string }>(`SELECT namespace, name, version FROM tasks WHERE id = $1`, [taskId]);
  return task.rows[0];
}

/** The step's result in the newest completed run of that pipeline version (along tasks_pipeline_version_idx). */
export async function readLastCompletedStepResult(
  pool: pg.Pool,
  pipeline: { namespace: string; name: string; version: string },
  stepName: string,
): Promise<JsonValue | undefined> {
  const last = await pool.query<{ result: JsonValue }>(
    `SELECT s.result FROM tasks t JOIN steps s ON s.task_id = t.id AND s.name = $4
      WHERE t.namespace = $1 AND t.name = $2 AND t.version = $3 AND t.status = 'completed' AND s.status = 'completed' AND s.result IS NOT NULL
      ORDER BY t.created_at DESC LIMIT 1`,
    [pipeline.namespace, pipeline.name, pipeline.version, stepName],
  );
  return last.rows[0]?.result;
}
