/**
 * Per-subscriber event deliveries: claim a batch, hand each event to the subscriber, record the outcome — all in
 * one transaction that holds the claimed rows' locks — plus the dead letters' read and resend.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import { DELIVERIES_CHANNEL } from './channels';
import type { EventPayload } from './events';
import { EVENT_PAYLOAD_SQL } from './event-payload';
import { describeError } from './logger';
import type { Actor, EventName } from './types';

export interface DeliveredEvent {
  id: number;
  taskId: string;
  name: EventName;
  stepName: string | null;
  payload: EventPayload;
  createdAt: Date;
}

interface ClaimedDelivery extends DeliveredEvent {
  deliveryId: number;
  attempts: number;
}

export interface DeliverBatchOptions {
  subscriber: string;
  limit: number;
  maxAttempts: number;
  backoff: BackoffSettings;
  handle(event: DeliveredEvent): Promise<void>;
  /** Called after each failed handle(), with the delivery's fate. */
  onFailure?(event: DeliveredEvent, error: unknown, outcome: { attempts: number; dead: boolean; retryInMs: number }): void;
  /** Checked between events: false stops the batch (shutdown); unhandled events stay pending. */
  keepGoing(): boolean;
}

export interface BatchOutcome {
  /** Rows claimed; equal to the limit means more may be due. */
  claimed: number;
  delivered: number;
  failed: number;
}

/*
 * The claim. One subscriber's due deliveries, oldest event first, locked FOR UPDATE SKIP LOCKED: another
 * dispatcher's claim passes over them, so each delivery is handed to one dispatcher at a time; the locks are held
 * while the subscriber handles the events and until the outcome commits, and a row delivered meanwhile fails the
 * WHERE clause when re-checked on its newest version, so it is not handled twice. A dispatcher that dies
 * mid-batch rolls back and the events are delivered again (at least once).
 *
 * Per-task order: a delivery is due only when no earlier undone delivery of the same task (for this subscriber)
 * is waiting for its back-off — so a failing event holds back its own task and no other — and, after locking,
 * only when every earlier undone delivery of its task is in this batch (not held by another dispatcher). Within
 * the batch a task's events are handled in order, and the first failure stops that task for this batch. A dead
 * letter no longer holds its task back.
 */
const CLAIM = `
  WITH picked AS (
    SELECT c.id, c.task_id, c.event_id, c.attempts FROM event_deliveries c
     WHERE c.subscriber = $1 AND c.delivered_at IS NULL AND c.dead_at IS NULL AND c.run_after <= now()
       AND NOT EXISTS (SELECT 1 FROM event_deliveries p
                        WHERE p.subscriber = $1 AND p.task_id = c.task_id AND p.event_id < c.event_id
                          AND p.delivered_at IS NULL AND p.dead_at IS NULL AND p.run_after > now())
     ORDER BY c.event_id
     LIMIT $2
     FOR UPDATE SKIP LOCKED
  )
  SELECT k.id AS "deliveryId", k.attempts, e.id, e.task_id AS "taskId", e.name, e.step_name AS "stepName",
         ${EVENT_PAYLOAD_SQL} AS payload, e.created_at AS "createdAt",
         NOT EXISTS (SELECT 1 FROM event_deliveries p
                      WHERE p.subscriber = $1 AND p.task_id = k.task_id AND p.event_id < k.event_id
                        AND p.delivered_at IS NULL AND p.dead_at IS NULL
                        AND p.id NOT IN (SELECT id FROM picked)) AS "inOrder"
    FROM picked k JOIN task_events e ON e.id = k.event_id LEFT JOIN tasks t ON t.id = e.task_id
   ORDER BY e.id`;

export async function deliverBatch(pool: pg.Pool, options: DeliverBatchOptions): Promise<BatchOutcome> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ClaimedDelivery & { inOrder: boolean }>(CLAIM, [options.subscriber, options.limit]);
    const delivered: number[] = [];
    const failed: { id: number; attempts: number; dead: boolean; retryInMs: number; error: string }[] = [];
    const stoppedTasks = new Set<string>();
    for (const row of rows) {
      if (!options.keepGoing()) break;
      if (!row.inOrder || stoppedTasks.has(row.taskId)) {
        stoppedTasks.add(row.taskId);
        continue;
      }
      const event: DeliveredEvent = {
        id: Number(row.id),
        taskId: row.taskId,
        name: row.name,
        stepName: row.stepName,
        payload: row.payload,
        createdAt: row.createdAt,
      };
      try {
        await options.handle(event);
        delivered.push(row.deliveryId);
      } catch (error) {
        stoppedTasks.add(row.taskId);
        const attempts = row.attempts + 1;
        const dead = attempts >= options.maxAttempts;
        const retryInMs = dead ? 0 : computeBackoffMs(attempts, options.backoff);
        failed.push({ id: row.deliveryId, attempts, dead, retryInMs, error: describeError(error).slice(0, 2_000) });
        options.onFailure?.(event, error, { attempts, dead, retryInMs });
      }
    }
    if (delivered.length > 0) {
      await client.query(
        `UPDATE event_deliveries SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY ($1::bigint[])`,
        [delivered],
      );
    }
    if (failed.length > 0) {
      await client.query(
        `UPDATE event_deliveries d
            SET attempts = f.attempts, last_error = f.error,
                run_after = now() + make_interval(secs => f.retry_ms / 1000),
                dead_at = CASE WHEN f.dead THEN now() END
           FROM unnest($1::bigint[], $2::int[], $3::boolean[], $4::float8[], $5::text[]) AS f(id, attempts, dead, retry_ms, error)
          WHERE d.id = f.id`,
        [failed.map((f) => f.id), failed.map((f) => f.attempts), failed.map((f) => f.dead), failed.map((f) => f.retryInMs), failed.map((f) => f.error)],
      );
    }
    return { claimed: rows.length, delivered: delivered.length, failed: failed.length };
  });
}

/** A delivery that failed every attempt, as /alerts shows it. */
export interface DeadEventDelivery {
  id: number;
  subscriber: string;
  eventId: number;
  eventName: string;
  taskId: string;
  stepName: string | null;
  attempts: number;
  lastError: string | null;
  deadAt: Date;
}

export async function listDeadEventDeliveries(pool: pg.Pool, limit = 100): Promise<DeadEventDelivery[]> {
  const { rows } = await pool.query<DeadEventDelivery>(
    `SELECT d.id, d.subscriber, d.event_id AS "eventId", d.event_name AS "eventName", d.task_id AS "taskId",
            e.step_name AS "stepName", d.attempts, d.last_error AS "lastError", d.dead_at AS "deadAt"
       FROM event_deliveries d JOIN task_events e ON e.id = d.event_id
      WHERE d.dead_at IS NOT NULL
      ORDER BY d.dead_at DESC, d.id DESC
      LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), eventId: Number(row.eventId) }));
}

/** Resending a delivery that is not (or no longer) a dead letter. */
export class DeliveryNotDeadError extends Error {
  constructor(readonly deliveryId: number) {
    super(`Event delivery ${deliveryId} is not a dead letter (already resent, delivered or purged).`);
    this.name = 'DeliveryNotDeadError';
  }
}

/**
 * Makes a dead letter due again with a fresh set of attempts; the actor's record (an audit entry) is written in
 * the same transaction. Throws DeliveryNotDeadError when it is not dead, so a double click resends once.
 */
export type ResentDelivery = Pick<DeadEventDelivery, 'id' | 'subscriber' | 'eventName' | 'taskId' | 'stepName'>;

export async function resendEventDelivery(pool: pg.Pool, deliveryId: number, actor: Actor): Promise<ResentDelivery> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ResentDelivery>(
      `UPDATE event_deliveries d
          SET dead_at = NULL, attempts = 0, run_after = now()
         FROM task_events e
        WHERE d.id = $1 AND d.dead_at IS NOT NULL AND e.id = d.event_id
        RETURNING d.id, d.subscriber, d.event_name AS "eventName", d.task_id AS "taskId", e.step_name AS "stepName"`,
      [deliveryId],
    );
    const row = rows[0];
    if (!row) throw new DeliveryNotDeadError(deliveryId);
    await actor.alsoInTransaction?.(client, []);
    await client.query(`SELECT pg_notify($1, '')`, [DELIVERIES_CHANNEL]);
    return { ...row, id: Number(row.id) };
  });
}
