'use server';
/**
 * Starting a run from the form (operator). customer_analytics keeps the start logic of POST /analytics/start
 * (reuse a published window, join a running one, else launch), so the UI and the API agree; any other pipeline is
 * launched at its newest version with the input its own schema accepted.
 */
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { startCustomerAnalyticsRun } from '@/lib/runtime/seed-adapter';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import type { ActionOutcome } from '@/lib/auth/action-state';
import { authorizedAction } from '@/lib/auth/guards';
import type { Principal } from '@/lib/auth/principal';
import { auditActorOf } from '@/lib/auth/principal-types';
import { InputValidationError, launchTask } from '@/lib/engine';
import { pipelineStartFormSchema } from '@/lib/console/pipeline-start';
import { describeStartOutcome, startRunFormSchema, type StartRunResult } from '@/lib/console/start-run-form';
import { appRegistry, deliveredPipeline } from '@/lib/runtime/registry';

/** POST /analytics/start's logic for the form; a created run opens its page, a reused or joined one is explained. */
async function startCustomerAnalytics(context: unknown, principal: Principal): Promise<ActionOutcome<StartRunResult>> {
  const db = getDb();
  const started = await startCustomerAnalyticsRun(db, appRegistry(), context, principal.label);
  // The form schema is the pipeline's, so this only happens if the day changed between the two checks.
  if (!started.ok) throw new UserFacingError(started.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  const { outcome } = started;
  if (outcome.kind === 'created') {
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: outcome.taskId, details: { window: started.window, via: 'console' } });
    revalidatePath('/runs');
    redirect(`/runs/${outcome.taskId}`);
  }
  return { message: describeStartOutcome(outcome), result: { kind: outcome.kind, taskId: outcome.taskId } };
}

export const startRunAction = authorizedAction<typeof startRunFormSchema, StartRunResult>('operator', startRunFormSchema, (input, principal) =>
  startCustomerAnalytics(input, principal),
);

/** The registry is read when a submission arrives, not when this module loads. */
const pipelineStartForm = z.lazy(() => pipelineStartFormSchema(appRegistry().list()));

export const startPipelineRunAction = authorizedAction('operator', pipelineStartForm, async (request, principal) => {
  const db = getDb();
  // The page shows customer_analytics its own form; a submission of it here still follows its start policy.
  const delivered = deliveredPipeline();
  if (request.namespace === delivered.namespace && request.name === delivered.name) {
    const { message } = await startCustomerAnalytics(request.context, principal);
    return { message };
  }
  let taskId: string;
  try {
    ({ taskId } = await launchTask(db, appRegistry(), { namespace: request.namespace, name: request.name, context: request.context, initiator: principal.label }));
  } catch (error) {
    // The form checked the same schema a moment ago; a refusal now comes from a rule that depends on the clock.
    if (error instanceof InputValidationError) throw new UserFacingError(error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), 422);
    throw error;
  }
  await recordAudit(db.db, {
    ...auditActorOf(principal),
    action: 'run.start',
    target: taskId,
    details: { pipeline: `${request.namespace}/${request.name}`, via: 'console' },
  });
  revalidatePath('/runs');
  redirect(`/runs/${taskId}`);
});
