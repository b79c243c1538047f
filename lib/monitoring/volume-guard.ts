/**
 * The data-quality guard (issue 8, point 7): after the extracts, each extract step's record count is compared
 * with the median of the same step in recent comparable runs (same pipeline, same window length, completed).
 * A drop of more than half yields a warning insight and a medium alert (the in-app review queue); the run
 * carries on, because a quiet day is possible and a human should judge it, not the pipeline.
 *
 * With fewer than MIN_COMPARABLE_RUNS earlier counts there is no baseline, and nothing is flagged.
 */
import { raiseAlert, type RoutingOptions } from './alert-store';
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

export async function findVolumeDrops(client: Queryable, taskId: string): Promise<VolumeDrop[]> {
  const { rows } = await client.query<{ step: string; records: number; median: number | null; runs: number }>(
    `WITH current_task AS (
       SELECT id, namespace, name, created_at,
              (context->'date_range'->>'end_date')::date - (context->'date_range'->>'start_date')::date AS window_days
         FROM tasks WHERE id = $1),
     current_counts AS (
       SELECT s.name AS step, (s.result->>'total_count')::float8 AS records
         FROM steps s
        WHERE s.task_id = $1 AND s.name LIKE 'extract\\_%' AND s.status = 'completed'
          AND jsonb_typeof(s.result->'total_count') = 'number'),
     history AS (
       SELECT s.name AS step, (s.result->>'total_count')::float8 AS records,
              row_number() OVER (PARTITION BY s.name ORDER BY t.created_at DESC) AS recency
         FROM current_task c
         JOIN tasks t ON t.namespace = c.namespace AND t.name = c.name AND t.id <> c.id AND t.created_at < c.created_at
                     AND t.status = 'completed'
                     AND ((t.context->'date_range'->>'end_date')::date - (t.context->'date_range'->>'start_date')::date)
                         IS NOT DISTINCT FROM c.window_days
         JOIN steps s ON s.task_id = t.id AND s.status = 'completed' AND jsonb_typeof(s.result->'total_count') = 'number')
     SELECT cc.step, cc.records,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h.records) FROM history h WHERE h.step = cc.step AND h.recency <= $2) AS median,
            (SELECT count(*)::int FROM history h WHERE h.step = cc.step AND h.recency <= $2) AS runs
       FROM current_counts cc
      ORDER BY cc.step`,
    [taskId, RECENT_RUNS],
  );
  return rows
    .filter((row) => row.median !== null && row.runs >= MIN_COMPARABLE_RUNS && row.median > 0 && row.records < row.median * (1 - DROP_THRESHOLD))
    .map((row) => ({
      step: row.step,
      records: row.records,
      median: row.median ?? 0,
      dropPercent: Math.round((1 - row.records / (row.median ?? 1)) * 1000) / 10,
      comparableRuns: row.runs,
    }));
}

function describeDrop(drop: VolumeDrop): string {
  return `${drop.step} extracted ${drop.records} records, ${drop.dropPercent}% below the median of ${drop.median} over ${drop.comparableRuns} recent runs`;
}

/**
 * Runs the guard for a task inside the caller's transaction: raises the medium alert (once per task) and
 * returns the warning insight to store, or null when every count is in line.
 */
export async function guardExtractVolumes(
  client: Queryable,
  taskId: string,
  routing: RoutingOptions,
): Promise<{ kind: 'volume_drop'; sentence: string; data: Record<string, unknown> } | null> {
  const drops = await findVolumeDrops(client, taskId);
  if (drops.length === 0) return null;
  const task = await client.query<{ namespace: string; name: string }>(`SELECT namespace, name FROM tasks WHERE id = $1`, [taskId]);
  const sentence = `Warning: ${drops.map(describeDrop).join('; ')}. Check the sources before trusting these figures.`;
  await raiseAlert(
    client,
    {
      kind: 'volume_drop',
      dedupKey: `volume_drop:${taskId}`,
      severity: 'medium',
      taskId,
      stepName: drops[0]?.step ?? null,
      title: `Extracted volume dropped by more than half: ${drops.map((drop) => drop.step).join(', ')}`,
      details: {
        namespace: task.rows[0]?.namespace,
        taskName: task.rows[0]?.name,
        drops: drops.map((drop) => ({ ...drop })),
      },
    },
    routing,
  );
  return { kind: 'volume_drop', sentence, data: { warning: true, drops } };
}
