/**
 * Extract checkpoints (analytics.extract_checkpoints): an extract writes each page's rows and its new position
 * in one transaction, so after a failure the next attempt continues exactly where the last committed page ended.
 */
import type pg from 'pg';

export interface Checkpoint {
  /** Next cursor or last staged id; null when the source is exhausted. */
  position: string | null;
  rows: number;
  batches: number;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function readCheckpoint(db: Queryable, taskId: string, step: string): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<Checkpoint>(
    'SELECT position, rows, batches FROM analytics.extract_checkpoints WHERE task_id = $1 AND step = $2',
    [taskId, step],
  );
  return rows[0];
}

export async function saveCheckpoint(db: Queryable, taskId: string, step: string, checkpoint: Checkpoint): Promise<void> {
  await db.query(
    `INSERT INTO analytics.extract_checkpoints (task_id, step, position, rows, batches) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (task_id, step) DO UPDATE SET position = EXCLUDED.position, rows = EXCLUDED.rows,
       batches = EXCLUDED.batches, updated_at = now()`,
    [taskId, step, checkpoint.position, checkpoint.rows, checkpoint.batches],
  );
}

export async function clearCheckpoint(db: Queryable, taskId: string, step: string): Promise<void> {
  await db.query('DELETE FROM analytics.extract_checkpoints WHERE task_id = $1 AND step = $2', [taskId, step]);
}
