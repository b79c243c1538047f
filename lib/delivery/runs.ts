/**
 * Each run's place in the delivery definition, for the runs list, the run page and the seed's status API: its
 * kind (delivery, backfill, ad hoc) and what became of its snapshot (published, held for review, discarded).
 */
import type pg from 'pg';
import { z } from 'zod';
import { readTaskFacts, type TaskFacts } from '@/lib/engine';
import { classifyRun, type DeliveredPipeline, type DeliveryKind, type DeliveryPolicy } from './definition';
import { readBackfillRunIds } from './backfill-runs';
import type { HoldReason } from './gate';
import { readDeliveryPolicy } from './policy';

/** What the run's snapshot became; "held_for_review" is the run's outcome while an operator has not decided. */
export type RunOutcome = 'published' | 'held_for_review' | 'discarded';

export const OUTCOME_LABELS: Record<RunOutcome, string> = { published: 'Published', held_for_review: 'Held for review', discarded: 'Discarded' };

export interface RunDelivery {
  kind: DeliveryKind;
  outcome: RunOutcome | null;
  snapshotId: number | null;
  isDefaultView: boolean;
  publishedAt: Date | null;
  holdReasons: HoldReason[];
  review: { by: string; at: Date; reason: string | null } | null;
}

const STATE_OUTCOME = { published: 'published', held: 'held_for_review', discarded: 'discarded' } as const;
const holdReasonsSchema = z.array(z.object({ code: z.enum(['no_orders', 'no_customers', 'volume_drop', 'manual_resolution']), message: z.string() })).catch([]);

type RunRef = Pick<TaskFacts, 'id' | 'namespace' | 'name' | 'createdAt'> & { context: unknown };

/** Delivery facts of the given runs; runs of other pipelines (or without a date window) are left out. */
export async function readRunDeliveries(pool: pg.Pool, runs: readonly RunRef[], policy: DeliveryPolicy): Promise<Map<string, RunDelivery>> {
  const { pipeline } = policy;
  const ours = runs.flatMap((run) => {
    const window = run.namespace === pipeline.namespace && run.name === pipeline.name ? pipeline.windowOf(run.context) : null;
    return window ? [{ run, window }] : [];
  });
  const result = new Map<string, RunDelivery>();
  if (ours.length === 0) return result;
  const { rows } = await pool.query<{
    id: number; task_id: string; kind: DeliveryKind | null; state: keyof typeof STATE_OUTCOME; is_current: boolean; published_at: Date | null;
    held_at: Date | null; hold_reasons: unknown; reviewed_by: string | null; reviewed_at: Date | null; review_reason: string | null;
  }>(
    `SELECT id, task_id, kind, state, is_current, published_at, held_at, hold_reasons, reviewed_by, reviewed_at, review_reason
       FROM analytics.dashboard_snapshots WHERE task_id = ANY ($1::uuid[])`,
    [ours.map(({ run }) => run.id)],
  );
  const snapshots = new Map(rows.map((row) => [row.task_id, row]));
  const fromBackfill = await readBackfillRunIds(pool, ours.map(({ run }) => run.id));
  for (const { run, window } of ours) {
    const snapshot = snapshots.get(run.id);
    result.set(run.id, {
      kind: snapshot?.kind ?? classifyRun(window, snapshot?.published_at ?? snapshot?.held_at ?? run.createdAt, policy, { fromBackfill: fromBackfill.has(run.id) }),
      outcome: snapshot ? STATE_OUTCOME[snapshot.state] : null,
      snapshotId: snapshot?.id ?? null,
      isDefaultView: snapshot?.is_current ?? false,
      publishedAt: snapshot?.published_at ?? null,
      holdReasons: holdReasonsSchema.parse(snapshot?.hold_reasons),
      review: snapshot?.reviewed_by && snapshot.reviewed_at ? { by: snapshot.reviewed_by, at: snapshot.reviewed_at, reason: snapshot.review_reason } : null,
    });
  }
  return result;
}

/** One run's delivery facts; null for an unknown run or one of another pipeline. */
export async function loadRunDelivery(pool: pg.Pool, taskId: string, pipeline: DeliveredPipeline): Promise<RunDelivery | null> {
  const task = await readTaskFacts(pool, taskId);
  if (!task) return null;
  return (await readRunDeliveries(pool, [task], await readDeliveryPolicy(pool, pipeline))).get(taskId) ?? null;
}
