'use server';
/** Cancel and retry-failed of a whole backfill (operator, audited): thin adapters over lib/backfills. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { isBackfillId, runBackfillOperation } from '@/lib/backfills';
import { appBackfillPipelines } from '@/lib/runtime/registry';

const operationSchema = z.object({
  backfillId: z.string().refine(isBackfillId, 'is not a backfill'),
  reason: z.string().trim().min(3, 'Say why, in at least 3 characters.').max(2000),
});

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export const cancelBackfillAction = authorizedAction('operator', operationSchema, async (input, principal) => {
  const result = await runBackfillOperation(getDb(), appBackfillPipelines(), auditActorOf(principal), { ...input, kind: 'cancel' });
  revalidatePath(`/runs/backfills/${input.backfillId}`);
  return { message: `Backfill cancelled: ${plural(result.days.length, 'waiting day')} will not run, ${plural(result.runs.length, 'run')} cancelled.` };
});

export const retryBackfillAction = authorizedAction('operator', operationSchema, async (input, principal) => {
  const result = await runBackfillOperation(getDb(), appBackfillPipelines(), auditActorOf(principal), { ...input, kind: 'retry_failed' });
  revalidatePath(`/runs/backfills/${input.backfillId}`);
  return { message: `Retrying ${plural(result.days.length, 'failed day')}: ${result.days.join(', ')}.` };
});
