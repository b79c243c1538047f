/**
 * Operator operations on a task: retry a failed step, rerun from a completed step, retry every failed step,
 * resolve a step manually, cancel the task. Each plan is computed by one pure function that both the
 * preview (a plain read) and the operation (under the task's lock) use, so a preview lists exactly the
 * steps the operation would send back to pending. Every operation is recorded with who and why.
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { CANCEL_CHANNEL } from './channels';
import { InputValidationError, NotFoundError, OperationNotAllowedError } from './errors';
import { appendEvents, notifyReady, type NewEvent } from './events';
import { downstreamOf, inDeclarationOrder } from './graph';
import { groupingStepName } from './map-names';
import type { PipelineRegistry } from './registry';
import { withClient, withTransaction } from '@/db/transaction';
import { isTaskId } from './queries';
import { lockTask, type LockedTask } from './task-transaction';
import type { Actor, JsonValue, StepStatus, TaskStatus } from './types';

interface PlanStep {
  name: string;
  status: StepStatus;
  /** For an expanded mapped step this includes its children, which it waits for like dependencies. */
  dependsOn: string[];
  /** A map child: its mapped step. */
  mapParent: string | null;
}

interface Plan {
  /** Steps reset to pending with a fresh retry budget, in declaration order: the ones that will run (again). */
  rerun: string[];
  /** Reset keeps the step's result and timestamps (retry of not-completed steps) or clears them (rerun). */
  clearResults: boolean;
  /** Mapped steps whose children are discarded, so the step expands again from its (new) list. */
  reexpand?: string[];
}

const DONE: ReadonlySet<StepStatus> = new Set(['completed', 'resolved_manually']);

function requireStep(steps: readonly PlanStep[], name: string): PlanStep {
  const step = steps.find((candidate) => candidate.name === name);
  if (!step) throw new NotFoundError(`The task has no step named "${name}"`);
  return step;
}

function requireLiveTask(status: TaskStatus, operation: string) {
  if (status === 'cancelled') throw new OperationNotAllowedError(`Cannot ${operation}: the task was cancelled`);
}

function retryPlan(steps: readonly PlanStep[], roots: readonly string[]): Plan {
  const followers = [...downstreamOf(steps, roots)].filter((name) => !DONE.has(requireStep(steps, name).status));
  return { rerun: inDeclarationOrder(steps, [...roots, ...followers]), clearResults: false };
}

export function planRetryStep(taskStatus: TaskStatus, steps: readonly PlanStep[], stepName: string): Plan {
  requireLiveTask(taskStatus, 'retry a step');
  const step = requireStep(steps, stepName);
  if (step.status !== 'failed') {
    throw new OperationNotAllowedError(`Step "${stepName}" is ${step.status}; only a failed step can be retried`);
  }
  return retryPlan(steps, [stepName]);
}

export function planRetryFailedSteps(taskStatus: TaskStatus, steps: readonly PlanStep[]): Plan {
  requireLiveTask(taskStatus, 'retry failed steps');
  const failed = steps.filter((step) => step.status === 'failed').map((step) => step.name);
  if (failed.length === 0) throw new OperationNotAllowedError('The task has no failed steps');
  return retryPlan(steps, failed);
}

export function planRerunFromStep(taskStatus: TaskStatus, steps: readonly PlanStep[], stepName: string): Plan {
  requireLiveTask(taskStatus, 'rerun a step');
  const step = requireStep(steps, stepName);
  if (!DONE.has(step.status)) {
    throw new OperationNotAllowedError(`Step "${stepName}" is ${step.status}; only a completed (or manually resolved) step can be rerun`);
  }
  const affected = [stepName, ...downstreamOf(steps, [stepName])];
  // A mapped step that runs again maps its list again, unless the rerun starts at one of its own children.
  const mapParents = new Set(steps.flatMap((candidate) => (candidate.mapParent === null ? [] : [candidate.mapParent])));
  const reexpand = affected.filter((name) => mapParents.has(name) && name !== step.mapParent);
  const discarded = steps.filter((candidate) => candidate.mapParent !== null && reexpand.includes(candidate.mapParent)).map((child) => child.name);
  const busy = [...affected, ...discarded].filter((name) => ['running', 'retrying'].includes(requireStep(steps, name).status));
  if (busy.length > 0) {
    throw new OperationNotAllowedError(`Cannot rerun from "${stepName}" while ${busy.join(', ')} ${busy.length === 1 ? 'is' : 'are'} in progress`);
  }
  return { rerun: inDeclarationOrder(steps, affected), clearResults: true, reexpand };
}

export function planResolveStepManually(taskStatus: TaskStatus, steps: readonly PlanStep[], stepName: string): Plan {
  requireLiveTask(taskStatus, 'resolve a step');
  const step = requireStep(steps, stepName);
  if (!['failed', 'blocked', 'pending', 'retrying'].includes(step.status)) {
    throw new OperationNotAllowedError(`Step "${stepName}" is ${step.status}; only a failed, blocked, pending or retrying step can be resolved manually`);
  }
  // The resolved step itself does not run; its not-completed dependents follow.
  const plan = retryPlan(steps, [stepName]);
  return { ...plan, rerun: plan.rerun.filter((name) => name !== stepName) };
}

export function planCancelTask(taskStatus: TaskStatus, steps: readonly PlanStep[]): string[] {
  if (taskStatus === 'completed' || taskStatus === 'cancelled') {
    throw new OperationNotAllowedError(`The task is already ${taskStatus}`);
  }
  return steps.filter((step) => ['pending', 'running', 'retrying'].includes(step.status)).map((step) => step.name);
}

async function readPlanInput(client: pg.ClientBase, taskId: string): Promise<{ status: TaskStatus; steps: PlanStep[] }> {
  const task = await client.query<{ status: TaskStatus }>(`SELECT status FROM tasks WHERE id = $1`, [taskId]);
  const status = task.rows[0]?.status;
  if (!status) throw new NotFoundError(`Task ${taskId} does not exist`);
  const steps = await client.query<PlanStep>(
    `SELECT name, status, depends_on AS "dependsOn", map_parent AS "mapParent" FROM steps WHERE task_id = $1 ORDER BY position, map_index NULLS FIRST`,
    [taskId],
  );
  return { status, steps: steps.rows };
}

function requireTaskId(taskId: string) {
  if (!isTaskId(taskId)) throw new NotFoundError(`Task ${taskId} does not exist`);
}

function requireActor(who: Actor) {
  if (!who.actor.trim()) throw new InputValidationError('operation', [{ path: 'actor', message: 'is required' }]);
}

async function preview(db: DbHandle, taskId: string, plan: (status: TaskStatus, steps: PlanStep[]) => string[]): Promise<string[]> {
  requireTaskId(taskId);
  const input = await withClient(db.pool, (client) => readPlanInput(client, taskId));
  return plan(input.status, input.steps);
}

/** Runs an operation under the task lock, records it, and lets the task status follow. */
async function operate(
  db: DbHandle,
  taskId: string,
  who: Actor,
  operation: string,
  stepName: string | null,
  apply: (client: pg.ClientBase, task: LockedTask, steps: PlanStep[]) => Promise<{ affected: string[]; events: NewEvent[] }>,
): Promise<string[]> {
  requireTaskId(taskId);
  requireActor(who);
  return withTransaction(db.pool, async (client) => {
    const task = await lockTask(client, taskId);
    if (!task) throw new NotFoundError(`Task ${taskId} does not exist`);
    const { steps } = await readPlanInput(client, taskId);
    const { affected, events } = await apply(client, task, steps);
    await client.query(
      `INSERT INTO task_operations (task_id, operation, step_name, actor, reason, affected_steps) VALUES ($1, $2, $3, $4, $5, $6)`,
      [taskId, operation, stepName, who.actor, who.reason ?? null, affected],
    );
    await appendEvents(client, [
      ...events,
      { name: 'task.operation', task, stepName: stepName ?? undefined, extra: { operation, actor: who.actor, reason: who.reason ?? null, steps: affected } },
    ]);
    await who.alsoInTransaction?.(client, affected);
    // Counters, blocked steps and the task's status follow from the new step states; wake exactly the ready ones.
    const settled = await client.query<{ ready: number }>(`SELECT nightshift_settle_task($1) AS ready`, [taskId]);
    await notifyReady(client, settled.rows[0]?.ready ?? 0);
    return affected;
  });
}

async function resetSteps(client: pg.ClientBase, taskId: string, plan: Plan): Promise<void> {
  if (plan.reexpand && plan.reexpand.length > 0) {
    // Their attempts go with them (ON DELETE CASCADE); the run's event log keeps what they did.
    await client.query(`DELETE FROM steps WHERE task_id = $1 AND map_parent = ANY ($2::text[])`, [taskId, plan.reexpand]);
    await client.query(
      `UPDATE steps SET map_items = NULL,
              depends_on = ARRAY(SELECT d FROM unnest(depends_on) AS d WHERE left(d, length(name) + 1) <> name || '[')
        WHERE task_id = $1 AND name = ANY ($2::text[])`,
      [taskId, plan.reexpand],
    );
  }
  await client.query(
    `UPDATE steps
        SET status = 'pending', budget_attempts = 0, lost_attempts = 0, rate_limited_attempts = 0, run_after = NULL, updated_at = now(),
            result = CASE WHEN $3 THEN NULL ELSE result END,
            completed_at = CASE WHEN $3 THEN NULL ELSE completed_at END,
            started_at = CASE WHEN $3 THEN NULL ELSE started_at END,
            resolved_note = CASE WHEN $3 THEN NULL ELSE resolved_note END,
            resolved_by = CASE WHEN $3 THEN NULL ELSE resolved_by END,
            progress_message = NULL, progress_percent = NULL, progress_updated_at = NULL
      WHERE task_id = $1 AND name = ANY ($2::text[])`,
    [taskId, plan.rerun, plan.clearResults],
  );
}

export interface StepOperationInput extends Actor {
  taskId: string;
  stepName: string;
}

export const previewRetryStep = (db: DbHandle, input: { taskId: string; stepName: string }) =>
  preview(db, input.taskId, (status, steps) => planRetryStep(status, steps, input.stepName).rerun);

/** Retries a failed step with a fresh retry budget; its not-completed dependents follow. Returns the steps that will run. */
export const retryStep = (db: DbHandle, input: StepOperationInput) =>
  operate(db, input.taskId, input, 'retry_step', input.stepName, async (client, task, steps) => {
    const plan = planRetryStep(task.status, steps, input.stepName);
    await resetSteps(client, input.taskId, plan);
    return { affected: plan.rerun, events: [] };
  });

export const previewRerunFromStep = (db: DbHandle, input: { taskId: string; stepName: string }) =>
  preview(db, input.taskId, (status, steps) => planRerunFromStep(status, steps, input.stepName).rerun);

/** Runs a completed step again, and everything downstream of it. Returns the steps that will run. */
export const rerunFromStep = (db: DbHandle, input: StepOperationInput) =>
  operate(db, input.taskId, input, 'rerun_from_step', input.stepName, async (client, task, steps) => {
    const plan = planRerunFromStep(task.status, steps, input.stepName);
    await resetSteps(client, input.taskId, plan);
    return { affected: plan.rerun, events: [] };
  });

export const previewRetryFailedSteps = (db: DbHandle, input: { taskId: string }) =>
  preview(db, input.taskId, (status, steps) => planRetryFailedSteps(status, steps).rerun);

export const retryFailedSteps = (db: DbHandle, input: Actor & { taskId: string }) =>
  operate(db, input.taskId, input, 'retry_failed_steps', null, async (client, task, steps) => {
    const plan = planRetryFailedSteps(task.status, steps);
    await resetSteps(client, input.taskId, plan);
    return { affected: plan.rerun, events: [] };
  });

export const previewResolveStepManually = (db: DbHandle, input: { taskId: string; stepName: string }) =>
  preview(db, input.taskId, (status, steps) => planResolveStepManually(status, steps, input.stepName).rerun);

/** Marks a step done by hand (counts as completed for its dependents). The note is required. Returns the steps that will run. */
export const resolveStepManually = (db: DbHandle, input: StepOperationInput & { note: string }) => {
  if (!input.note?.trim()) {
    return Promise.reject(new InputValidationError('resolve manually', [{ path: 'note', message: 'a note is required' }]));
  }
  return operate(db, input.taskId, { actor: input.actor, reason: input.reason ?? input.note, alsoInTransaction: input.alsoInTransaction }, 'resolve_manually', input.stepName, async (client, task, steps) => {
    const plan = planResolveStepManually(task.status, steps, input.stepName);
    await resetSteps(client, input.taskId, plan);
    const resolved = await client.query<{ attemptCount: number }>(
      `UPDATE steps SET status = 'resolved_manually', resolved_note = $3, resolved_by = $4, completed_at = now(),
                        run_after = NULL, updated_at = now()
        WHERE task_id = $1 AND name = $2
        RETURNING attempt_count AS "attemptCount"`,
      [input.taskId, input.stepName, input.note.trim(), input.actor],
    );
    return {
      affected: plan.rerun,
      events: [
        {
          name: 'step.resolved_manually',
          task,
          stepName: input.stepName,
          attempt: resolved.rows[0]?.attemptCount,
          extra: { note: input.note.trim(), actor: input.actor },
        },
      ],
    };
  });
};

export function planCompleteStepManually(taskStatus: TaskStatus, steps: readonly PlanStep[], stepName: string): Plan {
  requireLiveTask(taskStatus, 'complete a step');
  const step = requireStep(steps, stepName);
  if (!['failed', 'blocked', 'pending', 'retrying'].includes(step.status)) {
    throw new OperationNotAllowedError(`Step "${stepName}" is ${step.status}; only a failed or waiting (blocked, pending, retrying) step can be completed by hand`);
  }
  if (steps.some((candidate) => candidate.mapParent === stepName)) {
    throw new OperationNotAllowedError(`Step "${stepName}" is mapped into children; complete its failed children instead`);
  }
  // The completed step itself does not run; its not-completed dependents follow and read the supplied result.
  const plan = retryPlan(steps, [stepName]);
  return { ...plan, rerun: plan.rerun.filter((name) => name !== stepName) };
}

export const previewCompleteStepManually = (db: DbHandle, input: { taskId: string; stepName: string }) =>
  preview(db, input.taskId, (status, steps) => planCompleteStepManually(status, steps, input.stepName).rerun);

/**
 * An operator completes a step with a result they supply: checked against the step's declared result schema (of the
 * version the run pinned), stored as the step's result, and its dependents run with it. The step is marked
 * operator-supplied (`resolved_by`, `resolved_note` = the reason) and emits `step.completed` with `manual: true`, so
 * whatever follows a completion (alerts resolving, dependents) follows this one. Returns the steps that will run.
 */
export const completeStepManually = (db: DbHandle, registry: PipelineRegistry, input: StepOperationInput & { result: JsonValue }) => {
  if (!input.reason?.trim()) {
    return Promise.reject(new InputValidationError('complete manually', [{ path: 'reason', message: 'a reason is required' }]));
  }
  const reason = input.reason.trim();
  return operate(db, input.taskId, { actor: input.actor, reason, alsoInTransaction: input.alsoInTransaction }, 'complete_manually', input.stepName, async (client, task, steps) => {
    const plan = planCompleteStepManually(task.status, steps, input.stepName);
    const definition = registry.get(task.namespace, task.name, task.version);
    if (!definition) {
      throw new OperationNotAllowedError(`No process here serves ${task.namespace}/${task.name}@${task.version}, so the result of "${input.stepName}" cannot be checked`);
    }
    const schema = definition.step(groupingStepName(input.stepName))?.result;
    const parsed = schema ? schema.safeParse(input.result) : { success: true as const, data: input.result };
    if (!parsed.success) {
      throw new InputValidationError(
        `the result of ${input.stepName}`,
        parsed.error.issues.map((issue) => ({ path: ['result', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    }
    await resetSteps(client, input.taskId, plan);
    const completed = await client.query<{ attemptCount: number }>(
      `UPDATE steps SET status = 'completed', result = $3::jsonb, resolved_note = $4, resolved_by = $5, completed_at = now(),
                        run_after = NULL, progress_message = NULL, progress_percent = NULL, updated_at = now()
        WHERE task_id = $1 AND name = $2
        RETURNING attempt_count AS "attemptCount"`,
      [input.taskId, input.stepName, JSON.stringify(input.result), reason, input.actor],
    );
    return {
      affected: plan.rerun,
      events: [
        {
          name: 'step.completed',
          task,
          stepName: input.stepName,
          attempt: completed.rows[0]?.attemptCount,
          extra: { manual: true, actor: input.actor, reason },
        },
      ],
    };
  });
};

export const previewCancelTask = (db: DbHandle, input: { taskId: string }) =>
  preview(db, input.taskId, (status, steps) => planCancelTask(status, steps));

/** Cancels the task: running attempts are closed (their workers abort them), unfinished steps cancelled. Returns the cancelled steps. */
export async function cancelTask(db: DbHandle, input: Actor & { taskId: string }): Promise<string[]> {
  return operate(db, input.taskId, input, 'cancel', null, async (client, task, steps) => {
    planCancelTask(task.status, steps);
    // Steps first, attempts second: a claim that locked a step before us commits its attempt while we wait for the
    // step row, and only a later statement (a fresh snapshot) sees that attempt to close it.
    const cancelledRows = await client.query<{ name: string }>(
      `UPDATE steps SET status = 'cancelled', run_after = NULL, updated_at = now()
        WHERE task_id = $1 AND status IN ('pending', 'running', 'retrying')
        RETURNING name`,
      [input.taskId],
    );
    const cancelled = inDeclarationOrder(steps, cancelledRows.rows.map((row) => row.name));
    await client.query(
      `UPDATE step_attempts SET finished_at = now(), outcome = 'cancelled', error_class = 'TaskCancelled', error_message = $2
        WHERE task_id = $1 AND finished_at IS NULL`,
      [input.taskId, `Task cancelled by ${input.actor}${input.reason ? `: ${input.reason}` : ''}`],
    );
    const duration = await client.query<{ durationMs: number }>(
      `UPDATE tasks SET status = 'cancelled', completed_at = now(), updated_at = now() WHERE id = $1
       RETURNING (extract(epoch FROM now() - coalesce(started_at, created_at)) * 1000)::float8 AS "durationMs"`,
      [input.taskId],
    );
    await client.query(`SELECT pg_notify($1, $2)`, [CANCEL_CHANNEL, input.taskId]);
    task.status = 'cancelled';
    return {
      affected: cancelled,
      events: [
        ...cancelled.map((stepName): NewEvent => ({ name: 'step.cancelled', task, stepName, extra: { actor: input.actor } })),
        { name: 'task.cancelled', task, durationMs: duration.rows[0]?.durationMs, extra: { actor: input.actor, reason: input.reason ?? null } },
      ],
    };
  });
}
