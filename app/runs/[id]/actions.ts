'use server';
/**
 * Operator actions on a run. Each stays thin: role check and zod (authorizedAction) → runOperation (the engine call
 * and its audit entry, in one transaction) → revalidate. The engine refuses what is not allowed in the run's current
 * state; those refusals come back as the dialog's message (lib/console/operations.ts).
 */
import { revalidatePath } from 'next/cache';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { appRegistry } from '@/lib/runtime/registry';
import {
  completeOperationSchema,
  describeAffected,
  loadResultTemplate,
  resultTemplateSchema,
  previewOperation,
  previewSchema,
  resolveOperationSchema,
  runOperation,
  stepOperationSchema,
  taskOperationSchema,
} from '@/lib/console/operations';

function revalidateRun(taskId: string) {
  revalidatePath(`/runs/${taskId}`);
  revalidatePath('/runs');
}

export const previewOperationAction = authorizedAction('operator', previewSchema, async (input) => ({
  message: '',
  result: await previewOperation(getDb(), input),
}));

export const retryStepAction = authorizedAction('operator', stepOperationSchema, async (input, principal) => {
  const affected = await runOperation(getDb(), appRegistry(), principal, { kind: 'retry_step', ...input });
  revalidateRun(input.taskId);
  return { message: `Retrying ${input.stepName}: ${describeAffected(affected)} will run again.`, result: affected };
});

export const retryFailedStepsAction = authorizedAction('operator', taskOperationSchema, async (input, principal) => {
  const affected = await runOperation(getDb(), appRegistry(), principal, { kind: 'retry_failed', ...input });
  revalidateRun(input.taskId);
  return { message: `Retrying every failed step: ${describeAffected(affected)} will run again.`, result: affected };
});

export const rerunFromStepAction = authorizedAction('operator', stepOperationSchema, async (input, principal) => {
  const affected = await runOperation(getDb(), appRegistry(), principal, { kind: 'rerun_from_step', ...input });
  revalidateRun(input.taskId);
  return { message: `Rerunning from ${input.stepName}: ${describeAffected(affected)} will run again.`, result: affected };
});

export const resolveStepAction = authorizedAction('operator', resolveOperationSchema, async (input, principal) => {
  const affected = await runOperation(getDb(), appRegistry(), principal, { kind: 'resolve_step', taskId: input.taskId, stepName: input.stepName, reason: input.note });
  revalidateRun(input.taskId);
  return { message: `${input.stepName} resolved manually; ${describeAffected(affected)} will run.`, result: affected };
});

export const resultTemplateAction = authorizedAction('operator', resultTemplateSchema, async (input) => ({
  message: '',
  result: await loadResultTemplate(getDb(), appRegistry(), input),
}));

export const completeStepAction = authorizedAction('operator', completeOperationSchema, async (input, principal) => {
  const affected = await runOperation(getDb(), appRegistry(), principal, { kind: 'complete_step', ...input });
  revalidateRun(input.taskId);
  return { message: `${input.stepName} completed with your result; ${describeAffected(affected)} will run.`, result: affected };
});

export const cancelTaskAction = authorizedAction('operator', taskOperationSchema, async (input, principal) => {
  const cancelled = await runOperation(getDb(), appRegistry(), principal, { kind: 'cancel_task', ...input });
  revalidateRun(input.taskId);
  return { message: `Run cancelled; ${describeAffected(cancelled)} ${cancelled.length === 1 ? 'was' : 'were'} stopped.`, result: cancelled };
});
