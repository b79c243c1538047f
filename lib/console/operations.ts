/**
 * Server side of the run page's operations: the engine's previews by kind, the zod shapes of the actions'
 * input, engine refusals turned into messages for the operator, and the audit entry every operation writes.
 */
import type { PoolClient } from 'pg';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { auditActorOf, type Principal } from '@/lib/auth/principal-types';
import {
  cancelTask,
  InputValidationError,
  NotFoundError,
  OperationNotAllowedError,
  rerunFromStep,
  resolveStepManually,
  retryFailedSteps,
  retryStep,
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

/** The HTTP API's names for the operations (Tasker's REST verbs), mapped onto the run page's. */
const API_KINDS = { retry: 'retry_step', retry_failed: 'retry_failed', rerun_from: 'rerun_from_step', resolve: 'resolve_step', cancel: 'cancel_task' } as const;
const apiKind = z.enum(Object.keys(API_KINDS) as [keyof typeof API_KINDS, ...(keyof typeof API_KINDS)[]], {
  error: `kind must be one of ${Object.keys(API_KINDS).join(', ')}`,
});
const STEP_KINDS = new Set<string>(['retry', 'rerun_from', 'resolve']);

function requireStepFor<T extends { kind: keyof typeof API_KINDS; step?: string }>(value: T, context: z.RefinementCtx) {
  if (STEP_KINDS.has(value.kind) && !value.step) {
    context.addIssue({ code: 'custom', path: ['step'], message: `${value.kind} needs the name of a step` });
  }
}

/** POST /api/runs/:id/operations body. */
export const apiOperationSchema = z
  .strictObject({ kind: apiKind, step: stepName.optional(), reason })
  .superRefine(requireStepFor)
  .transform(({ kind, step, reason: why }) => ({ kind: API_KINDS[kind], stepName: step, reason: why }));

/** GET /api/runs/:id/operations/preview query. */
export const apiPreviewSchema = z
  .strictObject({ kind: apiKind, step: stepName.optional() })
  .superRefine(requireStepFor)
  .transform(({ kind, step }) => ({ kind: API_KINDS[kind], stepName: step }));

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

export interface OperationRequest {
  kind: OperationKind;
  taskId: string;
  /** Required by retry_step, rerun_from_step and resolve_step. */
  stepName?: string;
  /** Why; for resolve_step, the note saying what was done by hand. */
  reason: string;
}

const AUDIT_ACTIONS: Record<OperationKind, string> = {
  retry_step: 'run.retry_step',
  retry_failed: 'run.retry_failed',
  rerun_from_step: 'run.rerun_from_step',
  resolve_step: 'run.resolve_step',
  cancel_task: 'run.cancel',
};

/**
 * Runs an operator operation and writes its audit entry in the same transaction (a refused or failed operation
 * leaves neither). The one path for the run page's actions and the HTTP API. Returns the steps that will run again
 * (or, for cancel, the cancelled ones).
 */
export function runOperation(db: DbHandle, principal: Principal, request: OperationRequest): Promise<string[]> {
  const needsStep = (): string => {
    if (!request.stepName) throw new UserFacingError('Choose a step', 400);
    return request.stepName;
  };
  const who = {
    actor: principal.label,
    reason: request.reason,
    alsoInTransaction: (client: PoolClient, affected: readonly string[]) =>
      recordAudit(client, {
        ...auditActorOf(principal),
        action: AUDIT_ACTIONS[request.kind],
        target: request.taskId,
        details: { step: request.stepName ?? null, reason: request.reason, affected_steps: [...affected] },
      }),
  };
  const operations: Record<OperationKind, () => Promise<string[]>> = {
    retry_step: () => retryStep(db, { ...who, taskId: request.taskId, stepName: needsStep() }),
    retry_failed: () => retryFailedSteps(db, { ...who, taskId: request.taskId }),
    rerun_from_step: () => rerunFromStep(db, { ...who, taskId: request.taskId, stepName: needsStep() }),
    resolve_step: () => resolveStepManually(db, { ...who, taskId: request.taskId, stepName: needsStep(), note: request.reason }),
    cancel_task: () => cancelTask(db, { ...who, taskId: request.taskId }),
  };
  return asUserFacing(operations[request.kind]);
}

export function describeAffected(steps: readonly string[]): string {
  return steps.length === 0 ? 'no other steps' : steps.join(', ');
}
