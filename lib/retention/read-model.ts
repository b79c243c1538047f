/**
 * Reads of the published retention matrices: the one the retention view shows, and the one a given run published
 * (a run's results). The matrix jsonb is parsed with zod, so a malformed row reads as "nothing published", never
 * a crash of the page.
 */
import type pg from 'pg';
import { retentionHeadline, retentionMatrixSchema, type RetentionMatrix } from './matrix';

export interface RetentionSnapshot {
  id: number;
  taskId: string;
  /** YYYY-MM: the matrix's last month. */
  throughMonth: string;
  months: number;
  publishedAt: Date;
  matrix: RetentionMatrix;
}

export type RetentionView = { kind: 'empty' } | { kind: 'ready'; snapshot: RetentionSnapshot; headline: string | null };

interface SnapshotRow {
  id: number;
  task_id: string;
  through_month: string;
  months: number;
  published_at: Date;
  matrix: unknown;
}

const COLUMNS = 'id, task_id, through_month, months, published_at, matrix';
/** The view's query (exported so a test can show its plan uses retention_snapshots_latest_idx). */
export const LATEST_SNAPSHOT_SQL = `SELECT ${COLUMNS} FROM analytics.retention_snapshots ORDER BY through_month DESC, published_at DESC, id DESC LIMIT 1`;
export const SNAPSHOT_OF_TASK_SQL = `SELECT ${COLUMNS} FROM analytics.retention_snapshots WHERE task_id = $1`;

function toSnapshot(row: SnapshotRow): RetentionSnapshot | null {
  const matrix = retentionMatrixSchema.safeParse(row.matrix);
  if (!matrix.success) return null;
  return { id: row.id, taskId: row.task_id, throughMonth: row.through_month, months: row.months, publishedAt: row.published_at, matrix: matrix.data };
}

/**
 * The matrix with the newest data (its last month), the latest publication among equals: a rerun of an older month
 * published later does not replace a newer month's matrix. One probe of retention_snapshots_latest_idx.
 */
export async function readRetentionView(pool: pg.Pool): Promise<RetentionView> {
  const { rows } = await pool.query<SnapshotRow>(LATEST_SNAPSHOT_SQL);
  const row = rows[0];
  const snapshot = row ? toSnapshot(row) : null;
  return snapshot ? { kind: 'ready', snapshot, headline: retentionHeadline(snapshot.matrix) } : { kind: 'empty' };
}

/** The matrix `taskId` published, or null (by retention_snapshots_task_idx). */
export async function readPublishedMatrix(pool: pg.Pool, taskId: string): Promise<RetentionMatrix | null> {
  const { rows } = await pool.query<SnapshotRow>(SNAPSHOT_OF_TASK_SQL, [taskId]);
  const row = rows[0];
  return row ? (toSnapshot(row)?.matrix ?? null) : null;
}
