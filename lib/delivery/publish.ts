/**
 * Every change to which dashboard snapshot executives see: publishing a run's snapshot (or holding it at the
 * data-quality gate), and the operator's review decisions — publish a held snapshot anyway, discard it, or make
 * a published snapshot the default view. Each is one transaction that also writes its alert or audit entry.
 *
 * The default view is the latest delivery (by window end, then publish time): a delivery that publishes becomes
 * it unless the current default has a later window; backfills and ad-hoc runs publish into history only. An
 * operator's "Make default view" overrides that until the next delivery publishes. All changes of the default
 * view take one advisory lock, so two publishes at once cannot both decide they are the newest.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { raiseAlert, resolveAlerts, type RoutingOptions } from '@/lib/monitoring/alert-store';
import { readBackfillRunIds } from './backfill-runs';
import { classifyRun, type DataWindow, type DeliveryKind, type DeliveryPolicy } from './definition';
import { describeReasons, type HoldReason } from './gate';

export type SnapshotState = 'published' | 'held' | 'discarded';

export interface PublishOutcome {
  snapshotId: number;
  state: 'published' | 'held';
  kind: DeliveryKind;
  /** Whether this snapshot is now the dashboard's default view. */
  isDefaultView: boolean;
  /** The task whose snapshot was the default view before, when this one replaced it. */
  replacedTaskId: string | null;
  holdReasons: HoldReason[];
}

// A reader holding the snapshot table (or an administrator's lock) must not stall a publish forever: give up
// after a few seconds and let the engine retry the step with backoff.
const PUBLISH_LOCK_TIMEOUT = '5s';
const DEFAULT_VIEW_LOCK = `SELECT pg_advisory_xact_lock(hashtext('analytics.dashboard_snapshots:default_view'))`;

export const heldAlertKey = (taskId: string) => `snapshot_held:${taskId}`;

const describeWindow = (window: DataWindow) => (window.start === window.end ? window.start : `${window.start} – ${window.end}`);

interface DefaultCandidate {
  id: number;
  windowEnd: string;
  kind: DeliveryKind;
}

/** Makes a just-published delivery the default view unless the current default has a later window. */
async function adoptIfLatestDelivery(client: pg.PoolClient, snapshot: DefaultCandidate): Promise<{ isDefaultView: boolean; replacedTaskId: string | null }> {
  if (snapshot.kind !== 'delivery') return { isDefaultView: false, replacedTaskId: null };
  const current = await client.query<{ id: number; task_id: string; window_end: string }>(
    `SELECT id, task_id, window_end::text AS window_end FROM analytics.dashboard_snapshots WHERE is_current`,
  );
  const previous = current.rows[0];
  if (previous?.id === snapshot.id) return { isDefaultView: true, replacedTaskId: null };
  if (previous && previous.window_end > snapshot.windowEnd) return { isDefaultView: false, replacedTaskId: null };
  return { isDefaultView: true, replacedTaskId: await makeCurrent(client, snapshot.id) };
}

async function makeCurrent(client: pg.PoolClient, snapshotId: number): Promise<string | null> {
  const cleared = await client.query<{ task_id: string }>(
    `UPDATE analytics.dashboard_snapshots SET is_current = false WHERE is_current AND id <> $1 RETURNING task_id`,
    [snapshotId],
  );
  await client.query(`UPDATE analytics.dashboard_snapshots SET is_current = true WHERE id = $1`, [snapshotId]);
  return cleared.rows[0]?.task_id ?? null;
}

/**
 * update_dashboard's publish: stores the task's snapshot as published (and the default view when it is the
 * latest delivery), or — with hold reasons — as held for review, raising one high alert that names them.
 * Idempotent per task: a retried step rewrites the same row.
 */
export async function publishRunSnapshot(
  pool: pg.Pool,
  input: {
    taskId: string;
    window: DataWindow;
    summary: object;
    holdReasons: HoldReason[];
    policy: DeliveryPolicy;
    routing: RoutingOptions;
    /** The publish moment; the database's clock unless a test (or an import of history) fixes it. */
    at?: Date;
  },
): Promise<PublishOutcome> {
  return withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL lock_timeout = '${PUBLISH_LOCK_TIMEOUT}'`);
    await client.query(DEFAULT_VIEW_LOCK);
    const now = input.at ?? (await client.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now ?? new Date();
    const fromBackfill = (await readBackfillRunIds(client, [input.taskId])).has(input.taskId);
    const kind = classifyRun(input.window, now, input.policy, { fromBackfill });
    const held = input.holdReasons.length > 0;
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, kind, state, hold_reasons, published_at, held_at, is_current)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8 THEN NULL ELSE $9::timestamptz END, CASE WHEN $8 THEN $9::timestamptz END, false)
       ON CONFLICT (task_id) DO UPDATE
         SET window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, summary = EXCLUDED.summary, kind = EXCLUDED.kind,
             state = EXCLUDED.state, hold_reasons = EXCLUDED.hold_reasons, published_at = EXCLUDED.published_at, held_at = EXCLUDED.held_at,
             is_current = dashboard_snapshots.is_current AND NOT $8, reviewed_by = NULL, reviewed_at = NULL, review_reason = NULL
       RETURNING id`,
      [input.taskId, input.window.start, input.window.end, JSON.stringify(input.summary), kind, held ? 'held' : 'published', JSON.stringify(input.holdReasons), held, now],
    );
    const snapshotId = inserted.rows[0]?.id;
    if (snapshotId === undefined) throw new Error('storing the snapshot returned no row');
    if (held) {
      await raiseAlert(
        client,
        {
          kind: 'snapshot_held',
          dedupKey: heldAlertKey(input.taskId),
          severity: 'high',
          taskId: input.taskId,
          title: `Customer analytics for ${describeWindow(input.window)} held for review, not published: ${describeReasons(input.holdReasons)}`,
          details: {
            namespace: input.policy.pipeline.namespace,
            taskName: input.policy.pipeline.name,
            window: { start: input.window.start, end: input.window.end },
            reasons: input.holdReasons.map((reason) => ({ code: reason.code, message: reason.message })),
          },
        },
        input.routing,
      );
      return { snapshotId, state: 'held', kind, isDefaultView: false, replacedTaskId: null, holdReasons: input.holdReasons };
    }
    const adopted = await adoptIfLatestDelivery(client, { id: snapshotId, windowEnd: input.window.end, kind });
    return { snapshotId, state: 'published', kind, ...adopted, holdReasons: [] };
  });
}

interface ReviewInput {
  actor: AuditActor;
  /** Why; required, kept with the snapshot and in the audit log. */
  reason: string;
}

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw new UserFacingError('Give a reason.', 400);
  return trimmed;
}

async function lockSnapshot(client: pg.PoolClient, where: { taskId: string } | { snapshotId: number }) {
  const { rows } = await client.query<{ id: number; task_id: string; window_start: string; window_end: string; state: SnapshotState; kind: DeliveryKind | null }>(
    `SELECT id, task_id, window_start::text AS window_start, window_end::text AS window_end, state, kind
       FROM analytics.dashboard_snapshots WHERE ${'taskId' in where ? 'task_id = $1::uuid' : 'id = $1'} FOR UPDATE`,
    ['taskId' in where ? where.taskId : where.snapshotId],
  );
  const row = rows[0];
  if (!row) throw new UserFacingError('This run has no dashboard snapshot.', 404);
  return row;
}

/** An operator publishes a held snapshot anyway: classified by this moment, the default view if it is the latest delivery. */
export async function publishHeldSnapshot(
  pool: pg.Pool,
  input: ReviewInput & { taskId: string; policy: DeliveryPolicy; routing: RoutingOptions; at?: Date },
): Promise<PublishOutcome> {
  const reason = requireReason(input.reason);
  return withTransaction(pool, async (client) => {
    await client.query(DEFAULT_VIEW_LOCK);
    const row = await lockSnapshot(client, { taskId: input.taskId });
    if (row.state !== 'held') throw new UserFacingError(`This snapshot is ${row.state}, not held for review.`, 409);
    const now = input.at ?? (await client.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now ?? new Date();
    const fromBackfill = (await readBackfillRunIds(client, [input.taskId])).has(input.taskId);
    const kind = classifyRun({ start: row.window_start, end: row.window_end }, now, input.policy, { fromBackfill });
    await client.query(
      `UPDATE analytics.dashboard_snapshots
          SET state = 'published', kind = $2, published_at = $5, reviewed_by = $3, reviewed_at = $5, review_reason = $4
        WHERE id = $1`,
      [row.id, kind, input.actor.actorLabel, reason, now],
    );
    const adopted = await adoptIfLatestDelivery(client, { id: row.id, windowEnd: row.window_end, kind });
    await resolveAlerts(client, heldAlertKey(input.taskId), `published anyway by ${input.actor.actorLabel}: ${reason}`, input.routing);
    await recordAudit(client, {
      ...input.actor,
      action: 'snapshot.publish_anyway',
      target: `task:${input.taskId}`,
      details: { snapshotId: row.id, kind, reason, defaultView: adopted.isDefaultView },
    });
    return { snapshotId: row.id, state: 'published', kind, ...adopted, holdReasons: [] };
  });
}

/** An operator rejects a held snapshot: it is never shown, and its review alert is resolved. */
export async function discardHeldSnapshot(pool: pg.Pool, input: ReviewInput & { taskId: string; routing: RoutingOptions }): Promise<void> {
  const reason = requireReason(input.reason);
  await withTransaction(pool, async (client) => {
    const row = await lockSnapshot(client, { taskId: input.taskId });
    if (row.state !== 'held') throw new UserFacingError(`This snapshot is ${row.state}, not held for review.`, 409);
    await client.query(
      `UPDATE analytics.dashboard_snapshots SET state = 'discarded', reviewed_by = $2, reviewed_at = now(), review_reason = $3 WHERE id = $1`,
      [row.id, input.actor.actorLabel, reason],
    );
    await resolveAlerts(client, heldAlertKey(input.taskId), `discarded by ${input.actor.actorLabel}: ${reason}`, input.routing);
    await recordAudit(client, { ...input.actor, action: 'snapshot.discard', target: `task:${input.taskId}`, details: { snapshotId: row.id, reason } });
  });
}

/** An operator makes a published snapshot (say, a backfill) the default view until the next delivery publishes. */
export async function makeDefaultView(pool: pg.Pool, input: ReviewInput & { snapshotId: number }): Promise<{ replacedTaskId: string | null }> {
  const reason = requireReason(input.reason);
  return withTransaction(pool, async (client) => {
    await client.query(DEFAULT_VIEW_LOCK);
    const row = await lockSnapshot(client, { snapshotId: input.snapshotId });
    if (row.state !== 'published') throw new UserFacingError(`Snapshot #${row.id} is ${row.state}; only a published snapshot can be the default view.`, 409);
    const replacedTaskId = await makeCurrent(client, row.id);
    await recordAudit(client, {
      ...input.actor,
      action: 'snapshot.make_default',
      target: `snapshot:${row.id}`,
      details: { taskId: row.task_id, kind: row.kind, window: `${row.window_start}..${row.window_end}`, reason, replacedTaskId },
    });
    return { replacedTaskId };
  });
}
