'use server';
/**
 * Operator actions on a run. Each stays thin: role check and zod (authorizedAction) → one engine call →
 * audit entry → revalidate. The engine refuses what is not allowed in the run's current state; those refusals
 * come back as the dialog's message (lib/console/operations.ts).
 */
import { revalidatePath } from 'next/cache';
import { getDb } from '@/db/client';
import { authorizedAction } from '@/lib/auth/guards';
import {
  asUserFacing,
  auditRunOperation,
  describeAffected,
  previewOperation,
  previewSchema,
  resolveOperationSchema,
  stepOperationSchema,
  taskOperationSchema,
} from '@/lib/console/operations';
import { cancelTask, rerunFromStep, resolveStepManually, retryFailedSteps, retryStep } from '@/lib/engine';

function revalidateRun(taskId: string) {
  revalidatePath(`/runs/${taskId}`);
  revalidatePath('/runs');
}

export const previewOperationAction = authorizedAction('operator', previewSchema, async (input) => ({
  message: '',
  result: await previewOperation(getDb(), input),
}));

export const retryStepAction = authorizedAction('operator', stepOperationSchema, async (input, principal) => {
  const affected = await asUserFacing(() => retryStep(getDb(), { ...input, actor: principal.label }));
  await auditRunOperation(getDb(), principal, { action: 'run.retry_step', ...input, affectedSteps: affected });
  revalidateRun(input.taskId);
  return { message: `Retrying ${input.stepName}: ${describeAffected(affected)} will run again.`, result: affected };
});

export const retryFailedStepsAction = authorizedAction('operator', taskOperationSchema, async (input, principal) => {
  const affected = await asUserFacing(() => retryFailedSteps(getDb(), { ...input, actor: principal.label }));
  await auditRunOperation(getDb(), principal, { action: 'run.retry_failed', ...input, affectedSteps: affected });
  revalidateRun(input.taskId);
  return { message: `Retrying every failed step: ${describeAffected(affected)} will run again.`, result: affected };
});

export const rerunFromStepAction = authorizedAction('operator', stepOperationSchema, async (input, principal) => {
  const affected = await asUserFacing(() => rerunFromStep(getDb(), { ...input, actor: principal.label }));
  await auditRunOperation(getDb(), principal, { action: 'run.rerun_from_step', ...input, affectedSteps: affected });
  revalidateRun(input.taskId);
  return { message: `Rerunning from ${input.stepName}: ${describeAffected(affected)} will run again.`, result: affected };
});

export const resolveStepAction = authorizedAction('operator', resolveOperationSchema, async (input, principal) => {
  const affected = await asUserFacing(() => resolveStepManually(getDb(), { ...input, actor: principal.label, reason: input.note }));
  await auditRunOperation(getDb(), principal, { action: 'run.resolve_step', ...input, reason: input.note, affectedSteps: affected });
  revalidateRun(input.taskId);
  return { message: `${input.stepName} resolved manually; ${describeAffected(affected)} will run.`, result: affected };
});

export const cancelTaskAction = authorizedAction('operator', taskOperationSchema, async (input, principal) => {
  const cancelled = await asUserFacing(() => cancelTask(getDb(), { ...input, actor: principal.label }));
  await auditRunOperation(getDb(), principal, { action: 'run.cancel', ...input, affectedSteps: cancelled });
  revalidateRun(input.taskId);
  return { message: `Run cancelled; ${describeAffected(cancelled)} ${cancelled.length === 1 ? 'was' : 'were'} stopped.`, result: cancelled };
});
