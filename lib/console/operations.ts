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
  completeStepManually,
  groupingStepName,
  previewCompleteStepManually,
  readLastCompletedStepResult,
  readTaskPipeline,
  type JsonValue,
  type PipelineRegistry,
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

/** Any JSON value: the step's declared result schema decides, in the engine, what fits. */
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
/** The run page's complete-manually form: the result typed as JSON text. */
export const completeOperationSchema = z.object({
  taskId,
  stepName,
  reason,
  result: z.string().transform((text, ctx): JsonValue => {
    try {
      return jsonValue.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Result must be valid JSON.' });
      return z.NEVER;
    }
  }),
});

export const resultTemplateSchema = z.object({ taskId, stepName });

/**
 * What an operator completing a step by hand starts from: the step's declared result schema (as JSON Schema, from the
 * version the run pinned) and the result the same step returned in the newest completed run of that version.
 */
export async function loadResultTemplate(db: DbHandle, registry: PipelineRegistry, input: z.infer<typeof resultTemplateSchema>): Promise<{ schema: string | null; example: string | null }> {
  const run = await readTaskPipeline(db.pool, input.taskId);
  if (!run) throw new UserFacingError(`Run ${input.taskId} does not exist`, 404);
  const definitionStep = registry.get(run.namespace, run.name, run.version)?.step(groupingStepName(input.stepName));
  const example = await readLastCompletedStepResult(db.pool, run, input.stepName);
  return {
    schema: definitionStep?.result ? JSON.stringify(z.toJSONSchema(definitionStep.result, { unrepresentable: 'any' }), null, 2) : null,
    example: example === undefined ? null : JSON.stringify(example, null, 2),
  };
}

/** The HTTP API's names for the operations (Tasker's REST verbs), mapped onto the run page's. */
const API_KINDS = {
  retry: 'retry_step',
  retry_failed: 'retry_failed',
  rerun_from: 'rerun_from_step',
  resolve: 'resolve_step',
  complete_step: 'complete_step',
  cancel: 'cancel_task',
} as const;
const apiKind = z.enum(Object.keys(API_KINDS) as [keyof typeof API_KINDS, ...(keyof typeof API_KINDS)[]], {
  error: `kind must be one of ${Object.keys(API_KINDS).join(', ')}`,
});
const STEP_KINDS = new Set<string>(['retry', 'rerun_from', 'resolve', 'complete_step']);

function requireStepFor<T extends { kind: keyof typeof API_KINDS; step?: string }>(value: T, context: z.RefinementCtx) {
  if (STEP_KINDS.has(value.kind) && !value.step) {
    context.addIssue({ code: 'custom', path: ['step'], message: `${value.kind} needs the name of a step` });
  }
}

/** POST /api/runs/:id/operations body; `result` only with complete_step, which needs it. */
export const apiOperationSchema = z
  .strictObject({ kind: apiKind, step: stepName.optional(), reason, result: jsonValue.optional() })
  .superRefine((value, context) => {
    requireStepFor(value, context);
    if (value.kind === 'complete_step' && value.result === undefined) context.addIssue({ code: 'custom', path: ['result'], message: 'complete_step needs the result' });
    if (value.kind !== 'complete_step' && value.result !== undefined) context.addIssue({ code: 'custom', path: ['result'], message: `${value.kind} takes no result` });
  })
  .transform(({ kind, step, reason: why, result }) => ({ kind: API_KINDS[kind], stepName: step, reason: why, result }));

/** GET /api/runs/:id/operations/preview query. */
export const apiPreviewSchema = z
  .strictObject({ kind: apiKind, step: stepName.optional() })
  .superRefine(requireStepFor)
  .transform(({ kind, step }) => ({ kind: API_KINDS[kind], stepName: step }));

/**
 * Runs an engine call; a refusal the operator can act on (not found, not allowed now, invalid) becomes a message.
 * A result that does not fit its step's schema is the request's fault: 400 with the field paths.
 */
export async function asUserFacing<T>(work: () => Promise<T>, invalidStatus: 400 | 422 = 422): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw new UserFacingError(error.message, 404);
    if (error instanceof OperationNotAllowedError) throw new UserFacingError(error.message, 409);
    if (error instanceof InputValidationError) throw new UserFacingError(error.message, invalidStatus, error.issues);
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
    complete_step: () => previewCompleteStepManually(db, { taskId: input.taskId, stepName: needsStep() }),
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
  /** complete_step: the result the operator supplies. */
  result?: JsonValue;
}

const AUDIT_ACTIONS: Record<OperationKind, string> = {
  retry_step: 'run.retry_step',
  retry_failed: 'run.retry_failed',
  rerun_from_step: 'run.rerun_from_step',
  resolve_step: 'run.resolve_step',
  complete_step: 'run.complete_step',
  cancel_task: 'run.cancel',
};

/**
 * Runs an operator operation and writes its audit entry in the same transaction (a refused or failed operation
 * leaves neither). The one path for the run page's actions and the HTTP API. Returns the steps that will run again
 * (or, for cancel, the cancelled ones).
 */
export function runOperation(db: DbHandle, registry: PipelineRegistry, principal: Principal, request: OperationRequest): Promise<string[]> {
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
        details: { step: request.stepName ?? null, reason: request.reason, affected_steps: [...affected], ...(request.result === undefined ? {} : { result: request.result }) },
      }),
  };
  const operations: Record<OperationKind, () => Promise<string[]>> = {
    retry_step: () => retryStep(db, { ...who, taskId: request.taskId, stepName: needsStep() }),
    retry_failed: () => retryFailedSteps(db, { ...who, taskId: request.taskId }),
    rerun_from_step: () => rerunFromStep(db, { ...who, taskId: request.taskId, stepName: needsStep() }),
    resolve_step: () => resolveStepManually(db, { ...who, taskId: request.taskId, stepName: needsStep(), note: request.reason }),
    complete_step: () => {
      if (request.result === undefined) throw new UserFacingError('complete_step needs the result', 400);
      return completeStepManually(db, registry, { ...who, taskId: request.taskId, stepName: needsStep(), result: request.result });
    },
    cancel_task: () => cancelTask(db, { ...who, taskId: request.taskId }),
  };
  return asUserFacing(operations[request.kind], request.kind === 'complete_step' ? 400 : 422);
}

export function describeAffected(steps: readonly string[]): string {
  return steps.length === 0 ? 'no other steps' : steps.join(', ');
}
