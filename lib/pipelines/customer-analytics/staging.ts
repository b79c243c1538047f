/**
 * Staging retention. Each run stages its CRM users and inventory products, and — when the orders live in another
 * database — copies its whole window (a million orders is ~300 MB), so staging cannot be kept forever. After a
 * snapshot is published, the staging of other runs that can no longer need it is deleted: finished runs
 * (completed or cancelled) and failed runs left alone for a week. A failed run younger than that keeps its
 * staging, so an operator's retry resumes from where it stopped.
 *
 * A transform that finds its staging purged refuses to run (PermanentError) instead of computing empty metrics;
 * the way back is to rerun from the extract steps.
 */
import type pg from 'pg';
import { PermanentError, readTasksFacts } from '@/lib/engine';
import { dropCopies, listCopies } from './order-copy';

/** A run's staged rows, and the executive summary's window parts its transforms summed (needed until generate_insights ran). */
const STAGING_TABLES = [
  'analytics.staging_users',
  'analytics.staging_products',
  'analytics.summary_customer_parts',
  'analytics.summary_product_parts',
  'analytics.summary_daily_parts',
];
const FAILED_RUN_RETENTION_DAYS = 7;

/**
 * Refreshes the planner's statistics after an extract filled its staging tables. Without it the transforms are
 * planned on the statistics of before the load (autovacuum has not caught up yet): the planner then expects a
 * handful of rows and picks a nested loop that takes minutes instead of a hash join that takes milliseconds —
 * seen with 30,000 orders. ANALYZE samples a fixed number of rows, so it stays quick at any size.
 */
export async function analyzeStaging(pool: pg.Pool, table: string, columns: string[]): Promise<void> {
  // Only the columns the transforms join and filter on: sampling the text columns too took four times as long.
  await pool.query(`ANALYZE ${table} (${columns.join(', ')})`);
}

export async function purgeStaleStaging(pool: pg.Pool, keepTaskId: string): Promise<number> {
  const staged = await pool.query<{ id: string }>(
    `SELECT task_id AS id FROM analytics.staging_users UNION SELECT task_id FROM analytics.staging_products
     UNION SELECT unnest($1::uuid[])`,
    [await listCopies(pool)],
  );
  const failedBefore = Date.now() - FAILED_RUN_RETENTION_DAYS * 86_400_000;
  const ids = (await readTasksFacts(pool, staged.rows.map((row) => row.id).filter((id) => id !== keepTaskId)))
    .filter(
      (task) => task.status === 'completed' || task.status === 'cancelled' || (task.status === 'failed' && task.updatedAt.getTime() < failedBefore),
    )
    .map((task) => task.id);
  if (ids.length === 0) return 0;
  for (const table of STAGING_TABLES) {
    await pool.query(`DELETE FROM ${table} WHERE task_id = ANY($1::uuid[])`, [ids]);
  }
  await dropCopies(pool, ids);
  return ids.length;
}

/** Throws when the extract said it staged rows but none are there (purged after the run finished). */
export async function assertStagingPresent(pool: pg.Pool, taskId: string, extracted: { table: string; expected: number | undefined }[]): Promise<void> {
  for (const { table, expected } of extracted) {
    if (!expected) continue;
    const { rows } = await pool.query<{ present: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table} WHERE task_id = $1) AS present`, [taskId]);
    if (!rows[0]?.present) {
      throw new PermanentError(
        `The staged rows of ${table} for this run were purged after it finished; rerun from the extract steps to compute it again.`,
      );
    }
  }
}
