/**
 * Which runs a backfill launched. The delivery definition classifies them as backfills whatever their window
 * (definition.ts), so the publisher, the runs list and the status page ask here.
 */
import type pg from 'pg';

export async function readBackfillRunIds(db: pg.Pool | pg.ClientBase, taskIds: readonly string[]): Promise<Set<string>> {
  if (taskIds.length === 0) return new Set();
  const { rows } = await db.query<{ task_id: string }>(`SELECT task_id FROM backfill_days WHERE task_id = ANY ($1::uuid[])`, [taskIds]);
  return new Set(rows.map((row) => row.task_id));
}
