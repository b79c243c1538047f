/**
 * The extract volume check: each volume-measuring step's record count is compared with the median of the same step
 * in recent comparable runs (same pipeline, same window length, completed, snapshot published). The pipeline says
 * which steps measure volume and how long a run's window is (a VolumeMeasure); this module knows neither. A count below half
 * of it is a volume drop: the dashboard's data-quality gate (lib/delivery/gate.ts) holds the snapshot for review,
 * and the run's insights carry a warning explaining the figures should an operator publish them anyway.
 *
 * With fewer than MIN_COMPARABLE_RUNS earlier counts there is no baseline, and nothing is flagged.
 */
import { readCompletedStepResults, readRecentStepResults, readTaskFacts, type JsonValue } from '@/lib/engine';
import type { Queryable } from './outbox';

export const RECENT_RUNS = 7;
export const MIN_COMPARABLE_RUNS = 3;
export const DROP_THRESHOLD = 0.5;

export interface VolumeDrop {
  step: string;
  records: number;
  median: number;
  /** 0–100: how far below the median, in percent. */
  dropPercent: number;
  comparableRuns: number;
}

/** How many of the pipeline's latest completed runs are searched for comparable ones. */
const HISTORY_SEARCH_RUNS = 200;

/** How a pipeline's volume is measured: a PipelineModule capability, handed in by the pipeline. */
export interface VolumeMeasure {
  /** Steps whose name starts with this report the records they extracted as `total_count` in their result. */
  stepNamePrefix: string;
  /** The length of a run's data window, from its input (runs of equal length are comparable); null when it has none. */
  windowSpanOf(context: JsonValue): number | null;
}

function recordCount(result: JsonValue): number | null {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return null;
  return typeof result.total_count === 'number' ? result.total_count : null;
}

/** The median as PostgreSQL's percentile_cont(0.5) computes it: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function findVolumeDrops(client: Queryable, taskId: string, measure: VolumeMeasure): Promise<VolumeDrop[]> {
  const task = await readTaskFacts(client, taskId);
  if (!task) return [];
  const span = measure.windowSpanOf(task.context);
  const current = await readCompletedStepResults(client, taskId, measure.stepNamePrefix);
  const history = await readRecentStepResults(client, task, {
    stepNamePrefix: measure.stepNamePrefix,
    createdBefore: task.createdAt,
    excludeTaskId: taskId,
    taskLimit: HISTORY_SEARCH_RUNS,
  });
  // Only runs whose snapshot was published count: a held or discarded run's low counts must not lower the bar.
  const published = await client.query<{ task_id: string }>(
    `SELECT task_id FROM analytics.dashboard_snapshots WHERE state = 'published' AND task_id = ANY ($1::uuid[])`,
    [[...new Set(history.map((row) => row.taskId))]],
  );
  const publishedIds = new Set(published.rows.map((row) => row.task_id));
  const comparable = history.filter((row) => publishedIds.has(row.taskId) && measure.windowSpanOf(row.taskContext) === span);
  const drops: VolumeDrop[] = [];
  for (const step of [...current].sort((a, b) => a.stepName.localeCompare(b.stepName))) {
    const records = recordCount(step.result);
    if (records === null) continue;
    // Newest first already: the RECENT_RUNS most recent comparable counts of this step.
    const counts = comparable
      .filter((row) => row.stepName === step.stepName)
      .map((row) => recordCount(row.result))
      .filter((count): count is number => count !== null)
      .slice(0, RECENT_RUNS);
    const middle = median(counts);
    if (middle === null || counts.length < MIN_COMPARABLE_RUNS || middle <= 0 || records >= middle * (1 - DROP_THRESHOLD)) continue;
    drops.push({
      step: step.stepName,
      records,
      median: middle,
      dropPercent: Math.round((1 - records / middle) * 1000) / 10,
      comparableRuns: counts.length,
    });
  }
  return drops;
}

export function describeDrop(drop: VolumeDrop): string {
  return `${drop.step} extracted ${drop.records} records, ${drop.dropPercent}% below the median of ${drop.median} over ${drop.comparableRuns} recent runs`;
}

/** The warning insight for the task's volume drops, or null when every count is in line. */
export async function volumeWarningInsight(
  client: Queryable,
  taskId: string,
  measure: VolumeMeasure,
): Promise<{ kind: 'volume_drop'; sentence: string; data: Record<string, unknown> } | null> {
  const drops = await findVolumeDrops(client, taskId, measure);
  if (drops.length === 0) return null;
  return {
    kind: 'volume_drop',
    sentence: `Warning: ${drops.map(describeDrop).join('; ')}. Check the sources before trusting these figures.`,
    data: { warning: true, drops },
  };
}
