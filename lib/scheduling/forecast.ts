/**
 * forecastTask(db, taskId, { now, deadlineAt, nextRunAt? }) — will an in-flight run be late, and how sure are we?
 *
 * The ETA is the existing estimator's (eta.ts: now + the remaining critical path of median step durations). The
 * confidence comes from replaying history: for each of the pipeline's last HISTORY_RUNS completed runs, the
 * remaining critical path is computed again with THAT run's step durations (a step it lacks takes the median), giving
 * one possible finish per past night. The share of those finishes after the deadline is the probability of being
 * late; the forecast says LATE when that share is at least LATE_CONFIDENCE (80%) and at least MIN_HISTORY_RUNS
 * nights were replayed — with less history nothing is forecast, and only a missed deadline alerts. The same test
 * against the next firing of the run's schedule says whether the run can finish before tomorrow's run starts.
 */
import { readRecentStepDurations, readStepDurationMedians, readTaskFacts, readTaskSteps, type EngineReader } from '@/lib/engine';
import { HISTORY_RUNS, remainingCriticalPath } from './eta';

export const LATE_CONFIDENCE = 0.8;
export const MIN_HISTORY_RUNS = 5;

export interface TaskForecast {
  /** The median ETA (eta.ts); null when the run cannot finish without an operator. */
  etaAt: Date | null;
  /** Past nights replayed. */
  historyRuns: number;
  /** Share of replayed finishes after the deadline (0 … 1); null without enough history. */
  lateProbability: number | null;
  /** lateProbability ≥ LATE_CONFIDENCE. */
  late: boolean;
  /** Share of replayed finishes after the next run's start, and whether that reaches LATE_CONFIDENCE. */
  overrunProbability: number | null;
  overrunsNextRun: boolean;
}

const NO_FORECAST: Omit<TaskForecast, 'etaAt' | 'historyRuns'> = { lateProbability: null, late: false, overrunProbability: null, overrunsNextRun: false };

/** The share of `finishes` after `limit` (pure, so the rule is testable on its own). */
export function shareAfter(finishes: readonly Date[], limit: Date): number {
  if (finishes.length === 0) return 0;
  return finishes.filter((finish) => finish.getTime() > limit.getTime()).length / finishes.length;
}

export async function forecastTask(
  db: { pool: EngineReader },
  taskId: string,
  options: { now: Date; deadlineAt: Date; nextRunAt?: Date | null },
): Promise<TaskForecast | null> {
  const { now } = options;
  const task = await readTaskFacts(db.pool, taskId);
  if (!task) return null;
  if (task.status === 'completed') return { etaAt: task.completedAt, historyRuns: 0, ...NO_FORECAST };
  const steps = await readTaskSteps(db.pool, taskId);
  if (task.status === 'failed' || task.status === 'cancelled' || steps.some((step) => step.status === 'failed' || step.status === 'cancelled')) {
    return { etaAt: null, historyRuns: 0, ...NO_FORECAST };
  }
  const [medians, nights] = await Promise.all([
    readStepDurationMedians(db.pool, task, { excludeTaskId: taskId, runs: HISTORY_RUNS }),
    readRecentStepDurations(db.pool, task, { excludeTaskId: taskId, runs: HISTORY_RUNS }),
  ]);
  const finishAfter = (durations: ReadonlyMap<string, number>) => new Date(now.getTime() + remainingCriticalPath(steps, durations, now).remainingMs);
  const etaAt = finishAfter(medians.medians);
  const finishes = [...nights.values()].map((night) => finishAfter(new Map([...medians.medians, ...night])));
  if (finishes.length < MIN_HISTORY_RUNS) return { etaAt, historyRuns: finishes.length, ...NO_FORECAST };
  const lateProbability = shareAfter(finishes, options.deadlineAt);
  const overrunProbability = options.nextRunAt ? shareAfter(finishes, options.nextRunAt) : null;
  return {
    etaAt,
    historyRuns: finishes.length,
    lateProbability,
    late: lateProbability >= LATE_CONFIDENCE,
    overrunProbability,
    overrunsNextRun: overrunProbability !== null && overrunProbability >= LATE_CONFIDENCE,
  };
}
