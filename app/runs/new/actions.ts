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
import { startCustomerAnalyticsRun } from '@/lib/analytics/start-run';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { CUSTOMER_ANALYTICS } from '@/lib/delivery/pipeline-identity';
import { InputValidationError, launchTask } from '@/lib/engine';
import { pipelineStartFormSchema } from '@/lib/console/pipeline-start';
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

/** The registry is read when a submission arrives, not when this module loads. */
const pipelineStartForm = z.lazy(() => pipelineStartFormSchema(appRegistry().list()));

export const startPipelineRunAction = authorizedAction('operator', pipelineStartForm, async (request, principal) => {
  const db = getDb();
  if (request.namespace === CUSTOMER_ANALYTICS.namespace && request.name === CUSTOMER_ANALYTICS.name) {
    const started = await startCustomerAnalyticsRun(db, appRegistry(), request.context, principal.label);
    if (!started.ok) throw new UserFacingError(started.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    if (started.outcome.kind !== 'created') return { message: describeStartOutcome(started.outcome) };
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: started.outcome.taskId, details: { window: started.window, via: 'console' } });
    revalidatePath('/runs');
    redirect(`/runs/${started.outcome.taskId}`);
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
