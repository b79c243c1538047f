/**
 * Server side of the run page's operations: the engine's previews by kind, the zod shapes of the actions'
 * input, engine refusals turned into messages for the operator, and the audit entry every operation writes.
 */
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { auditActorOf, type Principal } from '@/lib/auth/principal-types';
import {
  InputValidationError,
  NotFoundError,
  OperationNotAllowedError,
  previewCancelTask,
  previewRerunFromStep,
  previewResolveStepManually,
  previewRetryFailedSteps,
  previewRetryStep,
} from '@/lib/engine';
import { OPERATION_KINDS, type OperationKind } from './operation-kinds';

const taskId = z.uuid('Unknown run');
const stepName = z.string().trim().min(1, 'Choose a step').max(200);
const reason = z.string().trim().min(3, 'Reason must be at least 3 characters: say why.').max(2_000, 'Reason must be at most 2,000 characters.');

export const taskOperationSchema = z.object({ taskId, reason });
export const stepOperationSchema = z.object({ taskId, stepName, reason });
export const resolveOperationSchema = z.object({
  taskId,
  stepName,
  note: z.string().trim().min(3, 'Note must say what was done by hand, in at least 3 characters.').max(2_000, 'Note must be at most 2,000 characters.'),
});
export const previewSchema = z.object({ kind: z.enum(OPERATION_KINDS), taskId, stepName: stepName.optional() });

/** Runs an engine call; a refusal the operator can act on (not found, not allowed now, invalid) becomes a message. */
export async function asUserFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw new UserFacingError(error.message, 404);
    if (error instanceof OperationNotAllowedError) throw new UserFacingError(error.message, 409);
    if (error instanceof InputValidationError) throw new UserFacingError(error.message, 422);
    throw error;
  }
}

/** The steps an operation would run again (or cancel), from the same plan the operation itself uses. */
export function previewOperation(db: DbHandle, input: z.infer<typeof previewSchema>): Promise<string[]> {
  const needsStep = (): string => {
    if (!input.stepName) throw new UserFacingError('Choose a step', 400);
    return input.stepName;
  };
  const previews: Record<OperationKind, () => Promise<string[]>> = {
    retry_step: () => previewRetryStep(db, { taskId: input.taskId, stepName: needsStep() }),
    retry_failed: () => previewRetryFailedSteps(db, { taskId: input.taskId }),
    rerun_from_step: () => previewRerunFromStep(db, { taskId: input.taskId, stepName: needsStep() }),
    resolve_step: () => previewResolveStepManually(db, { taskId: input.taskId, stepName: needsStep() }),
    cancel_task: () => previewCancelTask(db, { taskId: input.taskId }),
  };
  return asUserFacing(previews[input.kind]);
}

/** The audit entry of an operation: who, on which run, why, and exactly which steps it affected. */
export function auditRunOperation(
  db: DbHandle,
  principal: Principal,
  entry: { action: string; taskId: string; stepName?: string; reason: string; affectedSteps: string[] },
): Promise<void> {
  return recordAudit(db.db, {
    ...auditActorOf(principal),
    action: entry.action,
    target: entry.taskId,
    details: { step: entry.stepName ?? null, reason: entry.reason, affected_steps: entry.affectedSteps },
  });
}

export function describeAffected(steps: readonly string[]): string {
  return steps.length === 0 ? 'no other steps' : steps.join(', ');
}
