/**
 * What the console pages show, as plain JSON (ISO date strings): the same shape whether it arrives as a server
 * component's initial data or from /api/live/* through React Query. Converters from the engine's rows live here.
 */
import type { DeliveryKind } from '@/lib/delivery/definition';
import type { RunOutcome } from '@/lib/delivery/runs';
import type { StepStatus, TaskDetail, TaskStatus, TaskSummary } from '@/lib/engine';


export interface RunWindow {
  start: string;
  end: string;
}

export interface RunSummaryView {
  id: string;
  pipeline: string;
  /** The pipeline version the run was launched on (it runs on that version to the end). */
  version: string;
  status: TaskStatus;
  window: RunWindow | null;
  stepsTotal: number;
  stepsDone: number;
  initiator: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Where the run stands in the delivery definition; null for other pipelines. */
  delivery: { kind: DeliveryKind; outcome: RunOutcome | null } | null;
}

export interface RunListView {
  /** When the list was read: the reference time for durations in the first render. */
  asOf: string;
  runs: RunSummaryView[];
  /** Runs matching the filters (all pages): exact when `totalExact`, otherwise the planner's estimate. */
  total: number;
  totalExact: boolean;
  pageSize: number;
  /** The `before` cursor of the page of newer runs; null on the newest page. */
  newer: string | null;
  /** The `after` cursor of the page of older runs; null on the oldest page. */
  older: string | null;
}

export interface AttemptView {
  number: number;
  workerId: string;
  startedAt: string;
  finishedAt: string | null;
  /** null while the attempt is running. */
  outcome: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  errorStack: string | null;
}

export interface StepErrorView {
  class: string;
  message: string;
}

/** A mapped step: it expands into one child step per item of the list its ancestor `over` returned. */
export interface MapView {
  over: string;
  /** How many children it expanded to; null until it has expanded. */
  items: number | null;
  maxItems: number | null;
}

/** A child of a mapped step, named `<parent>[<index>]`. */
export interface MapChildView {
  parent: string;
  index: number;
  item: unknown;
}

export interface StepView {
  name: string;
  description: string | null;
  dependsOn: string[];
  status: StepStatus;
  retryable: boolean;
  retryLimit: number;
  attemptCount: number;
  budgetAttempts: number;
  runAfter: string | null;
  result: unknown;
  lastError: StepErrorView | null;
  progressMessage: string | null;
  progressPercent: number | null;
  resolvedNote: string | null;
  resolvedBy: string | null;
  startedAt: string | null;
  completedAt: string | null;
  attempts: AttemptView[];
  map: MapView | null;
  mapChild: MapChildView | null;
}

export interface OperationView {
  operation: string;
  stepName: string | null;
  actor: string;
  reason: string | null;
  affectedSteps: string[];
  createdAt: string;
}

export interface RunDetailView extends RunSummaryView {
  /** When the run was read: the reference time for elapsed times in the first render. */
  asOf: string;
  /** Fingerprint of the definition the run was launched on; '' for runs launched before it was recorded. */
  definitionHash: string;
  /**
   * Set while the run is unfinished and no live worker serves its version: nothing will claim its steps. The
   * versions of its pipeline that workers do serve.
   */
  unserved: { servedVersions: string[] } | null;
  reason: string | null;
  context: unknown;
  steps: StepView[];
  operations: OperationView[];
}

export interface EventView {
  id: number;
  name: string;
  stepName: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

function errorOf(value: unknown): StepErrorView | null {
  if (typeof value !== 'object' || value === null) return null;
  const errorClass = 'class' in value && typeof value.class === 'string' ? value.class : 'Error';
  const message = 'message' in value && typeof value.message === 'string' ? value.message : '';
  return { class: errorClass, message };
}

/** What the delivery knows of a run of the delivered pipeline: its data window, kind and outcome. */
export interface RunDeliveryFacts {
  window: RunWindow | null;
  delivery: RunSummaryView['delivery'];
}

const NOT_DELIVERED: RunDeliveryFacts = { window: null, delivery: null };

export function toRunSummary(task: Omit<TaskSummary, 'cursor'>, { window, delivery }: RunDeliveryFacts = NOT_DELIVERED): RunSummaryView {
  return {
    id: task.id,
    pipeline: `${task.namespace}.${task.name}`,
    version: task.version,
    status: task.status,
    window,
    stepsTotal: task.stepsTotal,
    stepsDone: task.stepsDone,
    initiator: task.initiator,
    createdAt: task.createdAt.toISOString(),
    startedAt: iso(task.startedAt),
    completedAt: iso(task.completedAt),
    delivery,
  };
}

export function toRunDetail(task: TaskDetail, asOf: Date, facts: RunDeliveryFacts = NOT_DELIVERED): RunDetailView {
  const done = task.steps.filter((step) => step.status === 'completed' || step.status === 'resolved_manually').length;
  return {
    ...toRunSummary({ ...task, stepsTotal: task.steps.length, stepsDone: done }, facts),
    asOf: asOf.toISOString(),
    definitionHash: task.definitionHash,
    unserved: null,
    reason: task.reason,
    context: task.context,
    steps: task.steps.map((step) => ({
      name: step.name,
      description: step.description,
      dependsOn: step.dependsOn,
      status: step.status,
      retryable: step.retryable,
      retryLimit: step.retryLimit,
      attemptCount: step.attemptCount,
      budgetAttempts: step.budgetAttempts,
      runAfter: iso(step.runAfter),
      result: step.result,
      lastError: errorOf(step.lastError),
      progressMessage: step.progressMessage,
      progressPercent: step.progressPercent,
      resolvedNote: step.resolvedNote,
      resolvedBy: step.resolvedBy,
      startedAt: iso(step.startedAt),
      completedAt: iso(step.completedAt),
      attempts: step.attempts.map((attempt) => ({
        number: attempt.attemptNumber,
        workerId: attempt.workerId,
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: iso(attempt.finishedAt),
        outcome: attempt.outcome,
        errorClass: attempt.errorClass,
        errorMessage: attempt.errorMessage,
        errorStack: attempt.errorStack,
      })),
      map: step.mapsOver === null ? null : { over: step.mapsOver, items: step.mapItems, maxItems: step.mapMaxItems },
      mapChild: step.mapParent === null || step.mapIndex === null ? null : { parent: step.mapParent, index: step.mapIndex, item: step.mapItem },
    })),
    operations: task.operations.map((operation) => ({
      operation: operation.operation,
      stepName: operation.stepName,
      actor: operation.actor,
      reason: operation.reason,
      affectedSteps: operation.affectedSteps,
      createdAt: operation.createdAt.toISOString(),
    })),
  };
}

/** One attempt of a step with its own log, as the step drawer shows it (GET /api/live/runs/:id/steps/:step/logs). */
export interface AttemptLogView {
  attemptNumber: number;
  /** Null while it runs. */
  outcome: string | null;
  startedAt: string;
  finishedAt: string | null;
  lines: { line: number; level: string; at: string; message: string; fields: Record<string, unknown> | null }[];
}
