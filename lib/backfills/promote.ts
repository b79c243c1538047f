/**
 * The promoter: moves a backfill's waiting days into the engine, oldest first, while fewer than `max_parallel` of
 * its runs are unfinished. It runs after a backfill is created or retried, when one of its runs finishes (an event
 * subscriber), and on every scheduler tick as a sweep.
 *
 * Why it locks the backfill row (SELECT … FOR UPDATE) for the whole pass: two promoters (two processes, or an
 * event and a tick at once) would otherwise both count one free slot and both fill it. Under the lock the second
 * waits, then — each statement reading a fresh snapshot in READ COMMITTED — counts the first one's launches.
 * Launching happens on the pool (the engine's own transaction) while the lock is held; should this transaction
 * roll back afterwards, the day's idempotency key makes the next pass find that task instead of creating another.
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { withTransaction } from '@/db/transaction';
import {
  launchTask,
  OperationNotAllowedError,
  readTasksFacts,
  retryFailedSteps,
  type DeliveredEvent,
  type Logger,
  type Subscriber,
  type TaskStatus,
} from '@/lib/engine';
import type { BackfillPipelines } from './request';

export const UNFINISHED: ReadonlySet<TaskStatus> = new Set(['pending', 'running']);

/** One run per pipeline and day within a backfill, whoever launches it and however often. */
export function backfillDayKey(backfillId: string, pipeline: { namespace: string; name: string }, day: string): string {
  return `backfill:${backfillId}:${pipeline.namespace}.${pipeline.name}:${day}`;
}

interface LockedBackfill {
  id: string;
  namespace: string;
  pipelineName: string;
  maxParallel: number;
  rebuildPublished: boolean;
  requestedBy: string;
}

interface OpenDay {
  day: string;
  windowStart: string;
  windowEnd: string;
  state: 'waiting' | 'launched';
  taskId: string | null;
}

export interface PromotionResult {
  launched: string[];
  finished: boolean;
}

export async function promoteBackfill(db: DbHandle, pipelines: BackfillPipelines, backfillId: string): Promise<PromotionResult> {
  return withTransaction(db.pool, async (client) => {
    const locked = await client.query<LockedBackfill>(
      `SELECT id, namespace, pipeline_name AS "pipelineName", max_parallel AS "maxParallel", rebuild_published AS "rebuildPublished",
              requested_by AS "requestedBy"
         FROM backfills WHERE id = $1 AND status = 'active' FOR UPDATE`,
      [backfillId],
    );
    const backfill = locked.rows[0];
    if (!backfill) return { launched: [], finished: false };
    const open = await client.query<OpenDay>(
      `SELECT day::text AS day, window_start::text AS "windowStart", window_end::text AS "windowEnd", state, task_id AS "taskId"
         FROM backfill_days WHERE backfill_id = $1 AND state IN ('waiting', 'launched') ORDER BY day`,
      [backfillId],
    );
    const statuses = new Map(
      (await readTasksFacts(client, open.rows.flatMap((day) => (day.taskId ? [day.taskId] : [])))).map((task) => [task.id, task.status]),
    );
    const isUnfinished = (day: OpenDay) => day.taskId !== null && UNFINISHED.has(statuses.get(day.taskId) ?? 'failed');
    const busy = open.rows.filter((day) => day.state === 'launched' && isUnfinished(day)).length;
    const waiting = open.rows.filter((day) => day.state === 'waiting');
    const next = waiting.slice(0, Math.max(0, backfill.maxParallel - busy));
    const launched: string[] = [];
    for (const day of next) {
      const taskId = await startDay(db, pipelines, backfill, day, day.taskId ? statuses.get(day.taskId) : undefined);
      await client.query(
        `UPDATE backfill_days SET state = 'launched', task_id = $3, launched_at = clock_timestamp(), updated_at = now() WHERE backfill_id = $1 AND day = $2`,
        [backfillId, day.day, taskId],
      );
      launched.push(day.day);
    }
    const finished = waiting.length === 0 && busy === 0;
    if (finished) {
      await client.query(`UPDATE backfills SET status = 'finished', finished_at = now(), updated_at = now() WHERE id = $1`, [backfillId]);
    } else if (launched.length > 0) {
      await client.query(`UPDATE backfills SET updated_at = now() WHERE id = $1`, [backfillId]);
    }
    return { launched, finished };
  });
}

/** Launches the day's run, or — for a failed day an operator asked to retry — retries its failed steps. */
async function startDay(db: DbHandle, pipelines: BackfillPipelines, backfill: LockedBackfill, day: OpenDay, status: TaskStatus | undefined): Promise<string> {
  const pipeline = { namespace: backfill.namespace, name: backfill.pipelineName };
  if (day.taskId) {
    if (status !== 'failed') return day.taskId;
    try {
      await retryFailedSteps(db, { taskId: day.taskId, actor: backfill.requestedBy, reason: `backfill ${backfill.id}: retry of failed days` });
    } catch (error) {
      // Someone retried the run by hand meanwhile: it is running again either way.
      if (!(error instanceof OperationNotAllowedError)) throw error;
    }
    return day.taskId;
  }
  const launched = await launchTask(db, pipelines.registry, {
    ...pipeline,
    context: pipelines.delivered.inputFor({ start: day.windowStart, end: day.windowEnd }, { recompute: backfill.rebuildPublished }),
    idempotencyKey: backfillDayKey(backfill.id, pipeline, day.day),
    initiator: backfill.requestedBy,
    reason: `backfill ${backfill.id}: day ${day.day}`,
  });
  return launched.taskId;
}

/** Every active backfill, oldest first; one failing backfill does not stop the others. */
export async function promoteActiveBackfills(db: DbHandle, pipelines: BackfillPipelines, logger: Logger): Promise<void> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM backfills WHERE status = 'active' ORDER BY created_at`);
  for (const row of rows) {
    await promoteBackfill(db, pipelines, row.id).catch((error: unknown) =>
      logger.warn({ backfillId: row.id, error: error instanceof Error ? error.message : String(error) }, 'backfill promotion failed; the next tick retries'),
    );
  }
}

async function backfillOfTask(pool: pg.Pool, taskId: string): Promise<string | null> {
  const { rows } = await pool.query<{ backfill_id: string }>(`SELECT backfill_id FROM backfill_days WHERE task_id = $1`, [taskId]);
  return rows[0]?.backfill_id ?? null;
}

/** When one of a backfill's runs finishes, its slot goes to the next waiting day at once (not at the next tick). */
export function createBackfillSubscriber(db: DbHandle, pipelines: BackfillPipelines): Subscriber {
  return {
    name: 'backfill-promoter',
    events: ['task.completed', 'task.failed', 'task.cancelled'],
    startAt: 'latest',
    async handle(event: DeliveredEvent) {
      const backfillId = await backfillOfTask(db.pool, event.taskId);
      if (backfillId) await promoteBackfill(db, pipelines, backfillId);
    },
  };
}
