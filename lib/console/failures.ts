/**
 * Failure triage (`/failures`, `/api/failures`): every step that is failed now — its retries exhausted or its error
 * permanent — in any run that was not cancelled, grouped by pipeline, step and error class; and the group
 * operations, which retry or resolve every failed step of one group, each step as its own audited run operation.
 *
 * The group is computed in SQL in one round trip; the steps' own failure record (steps.last_error) is used rather
 * than their attempts, because retention purges the attempts of finished runs while their steps stay.
 */
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { UserFacingError } from '@/lib/auth/errors';
import type { Principal } from '@/lib/auth/principal-types';
import { readFailedStepGroups, readGroupFailedSteps, UNKNOWN_ERROR_CLASS, type PipelineRegistry } from '@/lib/engine';
import { previewOperation, runOperation } from './operations';

/** How many run ids a group lists (newest failure first); the counts cover them all. */
export const GROUP_RUN_IDS = 20;
/** How many steps one group operation acts on; the answer says how many are left for the next one. */
export const GROUP_OPERATION_LIMIT = 200;
/** The class shown for a failed step that has no recorded error (it cannot happen through the worker). */
export { UNKNOWN_ERROR_CLASS };

export interface FailureGroup {
  /** `namespace/name`. */
  pipeline: string;
  /** The step's name; a mapped step's children are grouped under the mapped step. */
  step: string;
  errorClass: string;
  /** Failed steps in the group (a mapped step's failed children count one each). */
  failedSteps: number;
  runs: number;
  /** ISO 8601: the earliest and the latest failure among the group's steps. */
  firstSeen: string;
  lastSeen: string;
  /** The message of the latest failure. */
  sampleMessage: string;
  /** The runs with the latest failures, newest first, at most GROUP_RUN_IDS. */
  runIds: string[];
}

const segment = (field: string) => z.string({ error: `${field} is required` }).trim().min(1, `${field} must not be empty`).max(200, `${field} must be at most 200 characters`);

/** A group's key as the HTTP API and the page's actions send it. */
export const failureGroupKey = z.strictObject({
  pipeline: z
    .string({ error: 'pipeline is required: namespace/name' })
    .trim()
    .regex(/^[^/]{1,200}\/[^/]{1,200}$/, 'pipeline must be namespace/name'),
  step: segment('step'),
  error_class: segment('error_class'),
});
export type FailureGroupKey = z.infer<typeof failureGroupKey>;

/** GET /api/failures and the page's query: any of the key's parts narrows the list. */
export const failureListFilter = z.strictObject({
  pipeline: failureGroupKey.shape.pipeline.optional(),
  step: segment('step').optional(),
  error_class: segment('error_class').optional(),
});
export type FailureListFilter = z.infer<typeof failureListFilter>;

const reason = z
  .string({ error: 'reason is required: say why' })
  .trim()
  .min(3, 'reason must be at least 3 characters: say why.')
  .max(2_000, 'reason must be at most 2,000 characters.');
export const GROUP_OPERATION_KINDS = ['retry', 'resolve'] as const;
export type GroupOperationKind = (typeof GROUP_OPERATION_KINDS)[number];
const kind = z.enum(GROUP_OPERATION_KINDS, { error: 'kind must be retry or resolve' });

/** POST /api/failures/operations and the page's confirm action. */
export const groupOperationSchema = failureGroupKey.extend({ kind, reason });
/** GET /api/failures/operations/preview and the page's preview action. */
export const groupPreviewSchema = failureGroupKey.extend({ kind });

/** The run operation each group operation is made of. */
const RUN_OPERATION = { retry: 'retry_step', resolve: 'resolve_step' } as const;

function splitPipeline(pipeline: string): { namespace: string; name: string } {
  const [namespace = '', name = ''] = pipeline.split('/');
  return { namespace, name };
}



/**
 * The groups, newest last failure first. Two levels: per run first (so the run count, the run ids and "newest
 * first" are per run, however many children of one mapped step failed in it), then per group.
 */
export async function listFailureGroups(db: DbHandle, filter: FailureListFilter = {}): Promise<FailureGroup[]> {
  const { namespace, name } = filter.pipeline ? splitPipeline(filter.pipeline) : { namespace: null, name: null };
  const rows = await readFailedStepGroups(db.pool, { namespace, name, step: filter.step ?? null, errorClass: filter.error_class ?? null, runIds: GROUP_RUN_IDS });
  return rows.map(({ namespace: ns, name: pipelineName, sampleMessage, ...group }) => ({
    pipeline: `${ns}/${pipelineName}`,
    ...group,
    sampleMessage: sampleMessage ?? '',
  }));
}

export interface GroupStep {
  run: string;
  step: string;
}

/** The group's failed steps, oldest run first (the order they are acted on), at most `limit`. */
async function groupSteps(db: DbHandle, key: FailureGroupKey, limit: number): Promise<GroupStep[]> {
  const { namespace, name } = splitPipeline(key.pipeline);
  return readGroupFailedSteps(db.pool, { namespace, name, step: key.step, errorClass: key.error_class }, limit);
}

async function requireGroupSteps(db: DbHandle, key: FailureGroupKey): Promise<{ steps: GroupStep[]; remaining: number }> {
  const found = await groupSteps(db, key, GROUP_OPERATION_LIMIT + 1);
  if (found.length === 0) {
    throw new UserFacingError(`No step of ${key.pipeline} named ${key.step} is failed with ${key.error_class} now`, 404);
  }
  // One more than the limit says whether more are left; how many is counted only then.
  const remaining = found.length > GROUP_OPERATION_LIMIT ? (await groupSteps(db, key, Number.MAX_SAFE_INTEGER)).length - GROUP_OPERATION_LIMIT : 0;
  return { steps: found.slice(0, GROUP_OPERATION_LIMIT), remaining };
}

export interface RefusedStep extends GroupStep {
  status: number;
  message: string;
}

export interface GroupPreview {
  /** Per failed step of the group: the steps its own operation will run again. */
  planned: Array<GroupStep & { steps: string[] }>;
  /** Steps whose operation the engine would refuse now, with why. */
  refused: RefusedStep[];
  /** Failed steps beyond GROUP_OPERATION_LIMIT, left for a later operation. */
  remaining: number;
}

export interface GroupOperationResult {
  /** Per step operated on: the steps that run again. */
  affected: Array<GroupStep & { steps: string[] }>;
  refused: RefusedStep[];
  remaining: number;
}

/** Each step's operation one after another; a refusal (the run changed meanwhile) is reported, not fatal. */
async function perStep<T>(steps: GroupStep[], work: (step: GroupStep) => Promise<T>) {
  const done: Array<GroupStep & { steps: T }> = [];
  const refused: RefusedStep[] = [];
  for (const step of steps) {
    try {
      done.push({ ...step, steps: await work(step) });
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      refused.push({ ...step, status: error.status, message: error.message });
    }
  }
  return { done, refused };
}

/** What retrying or resolving the group would do, from the same plans each step's operation uses. */
export async function previewGroupOperation(db: DbHandle, input: z.infer<typeof groupPreviewSchema>): Promise<GroupPreview> {
  const { steps, remaining } = await requireGroupSteps(db, input);
  const { done, refused } = await perStep(steps, (step) => previewOperation(db, { kind: RUN_OPERATION[input.kind], taskId: step.run, stepName: step.step }));
  return { planned: done, refused, remaining };
}

/**
 * Retries or resolves every failed step of the group: each its own run operation (runOperation: the engine call and
 * its audit entry in one transaction), so one refused step leaves the others done and each run's history names
 * who did it and why. Resolving uses the reason as the note of what was done by hand.
 */
export async function runGroupOperation(
  db: DbHandle,
  registry: PipelineRegistry,
  principal: Principal,
  input: z.infer<typeof groupOperationSchema>,
): Promise<GroupOperationResult> {
  const { steps, remaining } = await requireGroupSteps(db, input);
  const { done, refused } = await perStep(steps, (step) =>
    runOperation(db, registry, principal, { kind: RUN_OPERATION[input.kind], taskId: step.run, stepName: step.step, reason: input.reason }),
  );
  return { affected: done, refused, remaining };
}

/** The result line the page shows and the API's clients can log. */
export function describeGroupOperation(kind: GroupOperationKind, result: GroupOperationResult): string {
  const runs = new Set(result.affected.map((step) => step.run)).size;
  const verb = kind === 'retry' ? 'Retrying' : 'Resolved';
  const parts = [`${verb} ${result.affected.length} step${result.affected.length === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'}`];
  if (result.refused.length > 0) parts.push(`${result.refused.length} refused (${result.refused[0]?.message ?? ''})`);
  if (result.remaining > 0) parts.push(`${result.remaining} more left: run it again for them`);
  return `${parts.join('; ')}.`;
}
