'use server';
/**
 * Starting a customer_analytics run from the form (operator): the same start logic as POST /analytics/start
 * (reuse a published window, join a running one, else launch), so the UI and the API agree.
 */
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { getDb } from '@/lib/database';
import { startCustomerAnalyticsRun } from '@/lib/analytics/start-run';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { describeStartOutcome, startRunFormSchema, type StartRunResult } from '@/lib/console/start-run-form';
import { appRegistry } from '@/lib/runtime/registry';

export const startRunAction = authorizedAction<typeof startRunFormSchema, StartRunResult>('operator', startRunFormSchema, async (input, principal) => {
  const db = getDb();
  const started = await startCustomerAnalyticsRun(db, appRegistry(), input, principal.label);
  // The form schema is the pipeline's, so this only happens if the day changed between the two checks.
  if (!started.ok) throw new UserFacingError(started.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  const { outcome } = started;
  if (outcome.kind === 'created') {
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: outcome.taskId, details: { window: started.window, via: 'console' } });
    revalidatePath('/runs');
    redirect(`/runs/${outcome.taskId}`);
  }
  return { message: describeStartOutcome(outcome), result: { kind: outcome.kind, taskId: outcome.taskId } };
});
