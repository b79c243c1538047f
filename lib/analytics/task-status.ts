/**
 * The seed's `GET /analytics/status/:task_id` contract, built from the engine's task detail.
 * Timestamps are ISO strings; durations in milliseconds.
 */
import type { DeliveryKind } from '@/lib/delivery/definition';
import type { RunDelivery, RunOutcome } from '@/lib/delivery/runs';
import type { TaskDetail } from '@/lib/engine';

interface LastError {
  class: string;
  message: string;
  retryable: boolean;
  at: string;
}

export interface StepStatusView {
  name: string;
  status: string;
  attempts: number;
  retry_limit: number;
  retryable: boolean;
  depends_on: string[];
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  progress: { message: string; percent: number | null; updated_at: string | null } | null;
  last_error: LastError | null;
  next_retry_at: string | null;
  /** A mapped step: the ancestor whose list it maps over; null for other steps. */
  maps_over: string | null;
  /** A child of a mapped step: that step's name and the child's item position; null for other steps. */
  map_parent: string | null;
  map_index: number | null;
}

export interface TaskStatusView {
  task_id: string;
  namespace: string;
  name: string;
  version: string;
  /** The definition the run was launched on (see GET /api/pipelines); '' for runs older than the hash. */
  definition_hash: string;
  status: string;
  context: unknown;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: { completed: number; total: number; percent: number };
  /** customer_analytics runs: daily delivery, backfill or ad hoc (lib/delivery); null for other pipelines. */
  kind: DeliveryKind | null;
  /** What became of the run's dashboard snapshot; "held_for_review" until an operator publishes or discards it. */
  outcome: RunOutcome | null;
  snapshot_id: number | null;
  hold_reasons: { code: string; message: string }[];
  steps: StepStatusView[];
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function lastErrorOf(value: unknown): LastError | null {
  if (typeof value !== 'object' || value === null) return null;
  const error = value as Record<string, unknown>;
  return {
    class: String(error.class ?? 'Error'),
    message: String(error.message ?? ''),
    retryable: Boolean(error.retryable),
    at: String(error.at ?? ''),
  };
}

export function toTaskStatusView(task: TaskDetail, delivery: RunDelivery | null = null): TaskStatusView {
  const done = task.steps.filter((step) => step.status === 'completed' || step.status === 'resolved_manually').length;
  const total = task.steps.length;
  const childrenOf = new Map<string, Set<string>>();
  for (const step of task.steps) {
    if (step.mapParent !== null) childrenOf.set(step.mapParent, (childrenOf.get(step.mapParent) ?? new Set()).add(step.name));
  }
  return {
    task_id: task.id,
    namespace: task.namespace,
    name: task.name,
    version: task.version,
    definition_hash: task.definitionHash,
    status: task.status,
    context: task.context,
    created_at: task.createdAt.toISOString(),
    started_at: iso(task.startedAt),
    completed_at: iso(task.completedAt),
    progress: { completed: done, total, percent: total > 0 ? Math.round((done / total) * 1000) / 10 : 0 },
    kind: delivery?.kind ?? null,
    outcome: delivery?.outcome ?? null,
    snapshot_id: delivery?.snapshotId ?? null,
    hold_reasons: delivery?.holdReasons ?? [],
    steps: task.steps.map((step) => {
      const end = step.completedAt ?? (step.status === 'running' ? null : step.attempts.at(-1)?.finishedAt ?? null);
      return {
        name: step.name,
        status: step.status,
        attempts: step.attemptCount,
        retry_limit: step.retryLimit,
        retryable: step.retryable,
        // A mapped step lists its declared dependencies; its children are listed as steps of their own.
        depends_on: step.dependsOn.filter((name) => !childrenOf.get(step.name)?.has(name)),
        started_at: iso(step.startedAt),
        completed_at: iso(step.completedAt),
        duration_ms: step.startedAt && end ? end.getTime() - step.startedAt.getTime() : null,
        progress: step.progressMessage
          ? { message: step.progressMessage, percent: step.progressPercent, updated_at: iso(step.progressUpdatedAt) }
          : null,
        last_error: lastErrorOf(step.lastError),
        next_retry_at: step.status === 'retrying' ? iso(step.runAfter) : null,
        maps_over: step.mapsOver,
        map_parent: step.mapParent,
        map_index: step.mapIndex,
      };
    }),
  };
}
