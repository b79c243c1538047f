/**
 * The backfill API's shapes: the operation body (cancel / retry_failed with a reason), the list query, and the
 * one entry point the route handler and the page's buttons share.
 */
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import type { AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { isTaskId } from '@/lib/engine';
import type { BackfillPipelines } from './request';
import { cancelBackfill, retryFailedDays } from './operations';

export const BACKFILL_OPERATIONS = ['cancel', 'retry_failed'] as const;
export type BackfillOperation = (typeof BACKFILL_OPERATIONS)[number];

export const backfillOperationSchema = z.strictObject({
  kind: z.enum(BACKFILL_OPERATIONS),
  reason: z.string().trim().min(3, 'must say why, in at least 3 characters').max(2000),
});

export const backfillListQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/** Backfill ids are uuids; anything else is an unknown backfill, never a database error. */
export const isBackfillId = isTaskId;

export interface BackfillOperationResult {
  kind: BackfillOperation;
  /** Cancel: the days that never started; retry: the failed days queued again. */
  days: string[];
  /** Cancel: the runs cancelled. */
  runs: string[];
}

export async function runBackfillOperation(
  db: DbHandle,
  pipelines: BackfillPipelines,
  actor: AuditActor,
  input: { backfillId: string; kind: BackfillOperation; reason: string },
): Promise<BackfillOperationResult> {
  if (!isBackfillId(input.backfillId)) throw new UserFacingError(`Backfill ${input.backfillId} does not exist.`, 404);
  if (input.kind === 'cancel') {
    const cancelled = await cancelBackfill(db, { backfillId: input.backfillId, actor, reason: input.reason });
    return { kind: 'cancel', days: cancelled.cancelledDays, runs: cancelled.cancelledRuns };
  }
  const days = await retryFailedDays(db, pipelines, { backfillId: input.backfillId, actor, reason: input.reason });
  return { kind: 'retry_failed', days, runs: [] };
}
