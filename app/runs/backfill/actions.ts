'use server';
/** Starting a backfill from the form (operator): the same creation as POST /api/backfills, then its page. */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/database';
import { UserFacingError } from '@/lib/auth/errors';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { backfillFormSchema, createBackfill, promoteBackfill } from '@/lib/backfills';
import { appBackfillPipelines } from '@/lib/runtime/registry';

export const createBackfillAction = authorizedAction('operator', backfillFormSchema, async (input, principal) => {
  const db = getDb();
  const result = await createBackfill(db, appBackfillPipelines(), input, { ...auditActorOf(principal), origin: 'operator' });
  // The form schema is the request's; what is left is the pipeline's own check of each day.
  if (!result.ok) throw new UserFacingError(result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  if (result.backfill.created) await promoteBackfill(db, appBackfillPipelines(), result.backfill.id);
  revalidatePath('/runs');
  redirect(`/runs/backfills/${result.backfill.id}`);
});
