/**
 * getTaskEta(db, taskId, { now? }) — when a task is expected to finish.
 *
 * ETA = now + the remaining critical-path time. Each step's expected duration is its median over the last
 * HISTORY_RUNS completed runs of the same pipeline, measured from its first attempt's start to its final
 * completion, so typical retries and their backoff are included. A step still running is expected to need
 * its median minus the time it has already run (never below zero); a step not started needs its full median;
 * finished steps need nothing. The critical path is the longest chain of those through the dependency graph.
 *
 * Return shape (`TaskEta`, null when the task does not exist):
 *   { taskId, status, etaAt: Date | null, remainingMs: number | null, computedAt: Date,
 *     historyRuns: number, stepsWithoutHistory: string[], criticalPath: string[] }
 * etaAt is the completion time of a completed task, and null for a failed or cancelled task (it cannot
 * finish without an operator). Steps without any history count as 0 ms and are listed.
 */
import { readStepDurationMedians, readTaskFacts, readTaskSteps, type EngineReader, type StepStatus, type TaskStatus } from '@/lib/engine';

export const HISTORY_RUNS = 10;

export interface TaskEta {
  taskId: string;
  status: TaskStatus;
  etaAt: Date | null;
  remainingMs: number | null;
  computedAt: Date;
  /** Completed runs the medians come from. */
  historyRuns: number;
  stepsWithoutHistory: string[];
  /** The unfinished steps on the longest remaining chain, in order. */
  criticalPath: string[];
}

interface StepState {
  name: string;
  status: StepStatus;
  dependsOn: readonly string[];
  startedAt: Date | null;
}

const DONE: ReadonlySet<StepStatus> = new Set(['completed', 'resolved_manually']);

/** Remaining time of the longest chain, and that chain; pure so the rule is testable on its own. */
export function remainingCriticalPath(
  steps: readonly StepState[],
  medians: ReadonlyMap<string, number>,
  now: Date,
): { remainingMs: number; path: string[] } {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const memo = new Map<string, { finish: number; path: string[] }>();
  const finishOf = (name: string, visiting: Set<string>): { finish: number; path: string[] } => {
    const known = memo.get(name);
    if (known) return known;
    const step = byName.get(name);
    if (!step || DONE.has(step.status) || visiting.has(name)) return { finish: 0, path: [] };
    visiting.add(name);
    let before: { finish: number; path: string[] } = { finish: 0, path: [] };
    for (const dependency of step.dependsOn) {
      const candidate = finishOf(dependency, visiting);
      if (candidate.finish > before.finish || (before.path.length === 0 && candidate.path.length > 0)) before = candidate;
    }
    visiting.delete(name);
    const median = medians.get(name) ?? 0;
    const elapsed = step.startedAt && step.status !== 'pending' ? now.getTime() - step.startedAt.getTime() : 0;
    const own = Math.max(0, median - elapsed);
    const result = { finish: before.finish + own, path: [...before.path, name] };
    memo.set(name, result);
    return result;
  };
  let best = { finish: 0, path: [] as string[] };
  for (const step of steps) {
    const candidate = finishOf(step.name, new Set());
    if (candidate.finish > best.finish || (best.path.length === 0 && candidate.path.length > 0)) best = candidate;
  }
  return { remainingMs: Math.round(best.finish), path: best.path };
}

export async function getTaskEta(db: { pool: EngineReader }, taskId: string, options: { now?: Date } = {}): Promise<TaskEta | null> {
  const now = options.now ?? new Date();
  const row = await readTaskFacts(db.pool, taskId);
  if (!row) return null;
  const base = { taskId, status: row.status, computedAt: now };
  if (row.status === 'completed') {
    return { ...base, etaAt: row.completedAt, remainingMs: 0, historyRuns: 0, stepsWithoutHistory: [], criticalPath: [] };
  }
  const steps = await readTaskSteps(db.pool, taskId);
  const blocked = row.status === 'failed' || row.status === 'cancelled' || steps.some((step) => step.status === 'failed' || step.status === 'cancelled');
  const history = await readStepDurationMedians(db.pool, row, { excludeTaskId: taskId, runs: HISTORY_RUNS });
  const stepsWithoutHistory = steps.filter((step) => !DONE.has(step.status) && !history.medians.has(step.name)).map((step) => step.name);
  if (blocked) return { ...base, etaAt: null, remainingMs: null, historyRuns: history.runs, stepsWithoutHistory, criticalPath: [] };
  const critical = remainingCriticalPath(steps, history.medians, now);
  return {
    ...base,
    etaAt: new Date(now.getTime() + critical.remainingMs),
    remainingMs: critical.remainingMs,
    historyRuns: history.runs,
    stepsWithoutHistory,
    criticalPath: critical.path,
  };
}

/**
 * The ETA to show people, or null when it would be a guess: no completed run to learn from, or a remaining step
 * that has never completed before (it would count as taking no time at all).
 */
export function shownEtaAt(eta: TaskEta | null): Date | null {
  if (!eta?.etaAt) return null;
  if (eta.status === 'completed') return eta.etaAt;
  return eta.historyRuns > 0 && eta.stepsWithoutHistory.length === 0 ? eta.etaAt : null;
}
