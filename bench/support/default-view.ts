/**
 * The pipeline benchmark's multi-day window is an ad-hoc run by the delivery definition, so it publishes into the
 * history only; the dashboard benchmarks read it as the default view, promoted the way an operator would.
 */
import type pg from 'pg';
import { makeDefaultView } from '@/lib/delivery/publish';

export async function makeBenchSnapshotDefault(pool: pg.Pool, taskId: string, reason: string): Promise<void> {
  const snapshot = await pool.query<{ id: number }>('SELECT id FROM analytics.dashboard_snapshots WHERE task_id = $1', [taskId]);
  const snapshotId = snapshot.rows[0]?.id;
  if (snapshotId === undefined) throw new Error(`the pipeline benchmark published no snapshot for task ${taskId}`);
  await makeDefaultView(pool, { snapshotId, reason, actor: { actorLabel: 'bench' } });
}
