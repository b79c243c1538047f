/**
 * Publishing a run's retention matrix: one row per run, written in one fenced statement, so the view switches from
 * the previous matrix to this one whole. A retry of the same run finds its row: an identical matrix keeps its id and
 * publication time (nothing is published twice); a rerun that computed a different matrix replaces it in place and
 * counts as published now.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import type { RetentionMatrix } from './matrix';

export interface PublishedRetention {
  snapshotId: number;
  publishedAt: Date;
  /** False when this run's identical matrix was already published (a retry). */
  publishedNow: boolean;
}

export async function publishRetentionMatrix(
  pool: pg.Pool,
  input: { taskId: string; throughMonth: string; months: number; matrix: RetentionMatrix },
  /** Called first in the transaction: refuses the write once the calling attempt was superseded. */
  fence: (client: pg.ClientBase) => Promise<void>,
): Promise<PublishedRetention> {
  return withTransaction(pool, async (client) => {
    await fence(client);
    // A run's month range comes from its input, so only the matrix can differ between two attempts of one run.
    // xmax = 0 tells an inserted row from an updated one; `previous` is the row as it was before this statement.
    const { rows } = await client.query<{ id: number; published_at: Date; inserted: boolean; changed: boolean }>(
      `WITH previous AS (SELECT matrix FROM analytics.retention_snapshots WHERE task_id = $1)
       INSERT INTO analytics.retention_snapshots AS s (task_id, through_month, months, matrix)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (task_id) DO UPDATE
         SET through_month = EXCLUDED.through_month, months = EXCLUDED.months, matrix = EXCLUDED.matrix,
             published_at = CASE WHEN s.matrix = EXCLUDED.matrix THEN s.published_at ELSE now() END
       RETURNING s.id, s.published_at, (s.xmax = 0) AS inserted,
                 (SELECT p.matrix IS DISTINCT FROM s.matrix FROM previous p) AS changed`,
      [input.taskId, input.throughMonth, input.months, JSON.stringify(input.matrix)],
    );
    const row = rows[0];
    if (!row) throw new Error('publishing the retention matrix returned no row');
    return { snapshotId: row.id, publishedAt: row.published_at, publishedNow: row.inserted || row.changed === true };
  });
}
