/**
 * Cancelling and retrying a whole backfill (operator, audited). Both lock the backfill row first, like the
 * promoter, so no day is launched halfway through.
 *
 * Cancel: waiting days become cancelled in the same transaction (they never start), the backfill stops
 * promoting, then its unfinished runs are cancelled the way the run page cancels a run.
 * Retry: only failed days go back to waiting, each keeping its run (its failed steps are retried when a slot
 * frees), so a day still has exactly one run.
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { withTransaction } from '@/db/transaction';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { cancelTask, OperationNotAllowedError, readTasksFacts } from '@/lib/engine';
import type { BackfillPipelines } from './request';
import { promoteBackfill, UNFINISHED } from './promote';

export interface BackfillOperationInput {
  backfillId: string;
  actor: AuditActor;
  reason: string;
}

async function lockBackfill(client: pg.PoolClient, backfillId: string): Promise<{ status: string }> {
  const { rows } = await client.query<{ status: string }>(`SELECT status FROM backfills WHERE id = $1 FOR UPDATE`, [backfillId]);
  const row = rows[0];
  if (!row) throw new UserFacingError(`Backfill ${backfillId} does not exist.`, 404);
  return row;
}

/** Returns the days cancelled before they ran and the runs cancelled. */
export async function cancelBackfill(db: DbHandle, input: BackfillOperationInput): Promise<{ cancelledDays: string[]; cancelledRuns: string[] }> {
  const { cancelledDays, runIds } = await withTransaction(db.pool, async (client) => {
    const backfill = await lockBackfill(client, input.backfillId);
    if (backfill.status !== 'active') throw new UserFacingError(`This backfill is ${backfill.status}; there is nothing left to cancel.`, 409);
    const cancelled = await client.query<{ day: string }>(
      `UPDATE backfill_days SET state = 'cancelled', updated_at = now()
        WHERE backfill_id = $1 AND state = 'waiting' AND task_id IS NULL RETURNING day::text AS day`,
      [input.backfillId],
    );
    // A failed day queued for a retry keeps its failed run: cancelling means "do not retry it".
    await client.query(`UPDATE backfill_days SET state = 'launched', updated_at = now() WHERE backfill_id = $1 AND state = 'waiting'`, [input.backfillId]);
    await client.query(`UPDATE backfills SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1`, [input.backfillId]);
    const launched = await client.query<{ task_id: string }>(`SELECT task_id FROM backfill_days WHERE backfill_id = $1 AND task_id IS NOT NULL`, [input.backfillId]);
    const cancelledDays = cancelled.rows.map((row) => row.day).sort();
    await recordAudit(client, { ...input.actor, action: 'backfill.cancel', target: `backfill:${input.backfillId}`, details: { reason: input.reason, cancelledDays } });
    return { cancelledDays, runIds: launched.rows.map((row) => row.task_id) };
  });
  const unfinished = (await readTasksFacts(db.pool, runIds)).filter((task) => UNFINISHED.has(task.status));
  const cancelledRuns: string[] = [];
  for (const task of unfinished) {
    try {
      await cancelTask(db, { taskId: task.id, actor: input.actor.actorLabel, reason: `backfill cancelled: ${input.reason}` });
      cancelledRuns.push(task.id);
    } catch (error) {
      // It finished between the read and the cancel: nothing to stop.
      if (!(error instanceof OperationNotAllowedError)) throw error;
    }
  }
  return { cancelledDays, cancelledRuns };
}

/** Puts the failed days back in the queue; returns them. */
export async function retryFailedDays(db: DbHandle, pipelines: BackfillPipelines, input: BackfillOperationInput): Promise<string[]> {
  const days = await withTransaction(db.pool, async (client) => {
    await lockBackfill(client, input.backfillId);
    const launched = await client.query<{ day: string; task_id: string }>(
      `SELECT day::text AS day, task_id FROM backfill_days WHERE backfill_id = $1 AND state = 'launched' AND task_id IS NOT NULL ORDER BY day`,
      [input.backfillId],
    );
    const failed = new Set((await readTasksFacts(client, launched.rows.map((row) => row.task_id))).filter((task) => task.status === 'failed').map((task) => task.id));
    const days = launched.rows.filter((row) => failed.has(row.task_id)).map((row) => row.day);
    if (days.length === 0) throw new UserFacingError('No day of this backfill has failed; there is nothing to retry.', 409);
    await client.query(`UPDATE backfill_days SET state = 'waiting', updated_at = now() WHERE backfill_id = $1 AND day = ANY ($2::date[])`, [input.backfillId, days]);
    try {
      await client.query(`UPDATE backfills SET status = 'active', finished_at = NULL, updated_at = now() WHERE id = $1`, [input.backfillId]);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === '23505') {
        throw new UserFacingError('Another backfill of the same range is active; retry after it finishes, or cancel it.', 409);
      }
      throw error;
    }
    await recordAudit(client, { ...input.actor, action: 'backfill.retry_failed', target: `backfill:${input.backfillId}`, details: { reason: input.reason, days } });
    return days;
  });
  await promoteBackfill(db, pipelines, input.backfillId);
  return days;
}
