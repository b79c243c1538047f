/**
 * createEventDispatcher: delivers outbox events to subscribers at least once, in order per task.
 *
 * Order and completeness come from reading the outbox by (transaction id, event id) and only below the
 * oldest transaction still running (pg_snapshot_xmin of the current snapshot). Event ids alone are not
 * enough: ids are drawn when rows are inserted, not when they commit, so a cursor on id could pass a row
 * whose transaction commits later with a smaller id and skip it for ever. Below the xmin horizon no new
 * row can appear, so the cursor never skips. Per task, transaction ids follow commit order because every
 * state change takes the task's lock before its first write (task-transaction.ts).
 * The price: one long-running transaction anywhere on the server holds delivery back until it ends.
 *
 * Each subscriber has its own cursor row, advanced after each successful handle(). A subscriber that
 * throws is retried on the same event with backoff; it never skips, and other subscribers carry on.
 * A dispatcher owns a subscriber's cursor under a renewed lease, so several processes may run
 * dispatchers with the same subscribers without delivering concurrently.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { DbHandle } from '@/db/client';
import { EVENTS_CHANNEL } from './channels';
import type { EventPayload } from './events';
import { createNotificationListener } from './listener';
import { consoleLogger, describeError, withFields } from './logger';
import type { EventName, Logger } from './types';

export interface DeliveredEvent {
  id: number;
  taskId: string;
  name: EventName;
  stepName: string | null;
  payload: EventPayload;
  createdAt: Date;
}

export interface Subscriber {
  /** Stable: it names the cursor row. */
  name: string;
  events: readonly EventName[];
  handle(event: DeliveredEvent): Promise<void>;
  /** Where a new subscriber's cursor starts: every stored event (default) or only events from now on. */
  startAt?: 'earliest' | 'latest';
}

export interface EventDispatcherOptions {
  db: DbHandle;
  subscribers: readonly Subscriber[];
  pollIntervalMs?: number;
  logger?: Logger;
  /** Delay before retrying a subscriber that threw; doubles per consecutive failure up to capMs. */
  retryBackoff?: { baseMs: number; capMs: number };
  /** How long a dispatcher owns a subscriber's cursor without renewing it. */
  ownershipMs?: number;
  batchSize?: number;
}

export interface EventDispatcher {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: number;
  txid: string;
  taskId: string;
  name: EventName;
  stepName: string | null;
  payload: EventPayload;
  createdAt: Date;
}

export function createEventDispatcher(options: EventDispatcherOptions): EventDispatcher {
  const { db } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const retryBackoff = options.retryBackoff ?? { baseMs: 500, capMs: 30_000 };
  const ownershipMs = options.ownershipMs ?? 30_000;
  const batchSize = options.batchSize ?? 200;
  const id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = withFields(options.logger ?? consoleLogger(), { dispatcherId: id });
  const names = new Set(options.subscribers.map((subscriber) => subscriber.name));
  if (names.size !== options.subscribers.length) throw new Error('Event subscribers must have unique names');

  let running = false;
  const wakers = new Set<() => void>();
  const loops: Promise<void>[] = [];
  const wakeAll = () => {
    for (const waker of wakers) waker();
  };

  const listener = createNotificationListener({
    pool: db.pool,
    channels: [EVENTS_CHANNEL],
    logger,
    onNotification: wakeAll,
    onConnected: wakeAll,
  });

  /** Sleeps until woken by a notification or the timeout. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  async function acquire(subscriber: Subscriber): Promise<{ txid: string; eventId: number } | undefined> {
    const start =
      subscriber.startAt === 'latest'
        ? `(SELECT coalesce(max(txid), '0'::xid8) FROM task_events), (SELECT coalesce(max(id), 0) FROM task_events)`
        : `'0'::xid8, 0`;
    await db.pool.query(
      `INSERT INTO event_cursors (subscriber, last_txid, last_event_id) VALUES ($1, ${start}) ON CONFLICT (subscriber) DO NOTHING`,
      [subscriber.name],
    );
    const owned = await db.pool.query<{ txid: string; eventId: number }>(
      `UPDATE event_cursors SET owner_id = $2, owned_until = now() + make_interval(secs => $3::float8 / 1000)
        WHERE subscriber = $1 AND (owner_id IS NULL OR owner_id = $2 OR owned_until < now())
        RETURNING last_txid::text AS txid, last_event_id AS "eventId"`,
      [subscriber.name, id, ownershipMs],
    );
    return owned.rows[0];
  }

  async function advance(subscriber: Subscriber, row: Pick<OutboxRow, 'txid' | 'id'>): Promise<boolean> {
    const updated = await db.pool.query(
      `UPDATE event_cursors
          SET last_txid = $3::xid8, last_event_id = $4, updated_at = now(),
              owned_until = now() + make_interval(secs => $5::float8 / 1000)
        WHERE subscriber = $1 AND owner_id = $2`,
      [subscriber.name, id, row.txid, row.id, ownershipMs],
    );
    return updated.rowCount === 1;
  }

  /** Delivers one batch; returns how many rows it read (0: caught up). */
  async function deliverBatch(subscriber: Subscriber, cursor: { txid: string; eventId: number }, subscriberLogger: Logger): Promise<number> {
    const batch = await db.pool.query<OutboxRow>(
      `SELECT id, txid::text AS txid, task_id AS "taskId", name, step_name AS "stepName", payload, created_at AS "createdAt"
         FROM task_events
        WHERE (txid, id) > ($1::xid8, $2::bigint)
          AND txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY txid, id
        LIMIT $3`,
      [cursor.txid, cursor.eventId, batchSize],
    );
    const wanted = new Set<string>(subscriber.events);
    for (const row of batch.rows) {
      if (wanted.has(row.name)) {
        const event: DeliveredEvent = {
          id: Number(row.id),
          taskId: row.taskId,
          name: row.name,
          stepName: row.stepName,
          payload: row.payload,
          createdAt: row.createdAt,
        };
        for (let failures = 0; ; failures += 1) {
          if (!running) return 0;
          try {
            await subscriber.handle(event);
            break;
          } catch (error) {
            const delay = Math.min(retryBackoff.capMs, retryBackoff.baseMs * 2 ** Math.min(failures, 20));
            subscriberLogger.warn(
              { error: describeError(error), eventId: event.id, event: event.name, retryInMs: delay },
              'subscriber failed; retrying the same event',
            );
            await new Promise((resolve) => setTimeout(resolve, delay));
          }
        }
        if (!(await advance(subscriber, row))) throw new Error('lost ownership of the subscriber cursor');
      }
      cursor.txid = row.txid;
      cursor.eventId = Number(row.id);
    }
    const last = batch.rows.at(-1);
    // Skipped rows (events this subscriber does not want) still move the cursor, so it never rescans them.
    if (last && !wanted.has(last.name) && !(await advance(subscriber, last))) throw new Error('lost ownership of the subscriber cursor');
    return batch.rows.length;
  }

  async function runSubscriber(subscriber: Subscriber): Promise<void> {
    const subscriberLogger = withFields(logger, { subscriber: subscriber.name });
    let failures = 0;
    while (running) {
      try {
        const cursor = await acquire(subscriber);
        if (!cursor) {
          // Another dispatcher owns this subscriber; check again later in case it went away.
          await pause(Math.max(pollIntervalMs, ownershipMs / 3));
          continue;
        }
        failures = 0;
        while (running && (await deliverBatch(subscriber, cursor, subscriberLogger)) > 0) {
          // Catching up: keep reading while there are rows.
        }
        if (running) await pause(pollIntervalMs);
      } catch (error) {
        failures += 1;
        const delay = Math.min(10_000, 200 * 2 ** Math.min(failures, 6));
        subscriberLogger.warn({ error: describeError(error), retryInMs: delay }, 'event delivery interrupted');
        await pause(delay);
      }
    }
  }

  return {
    id,
    async start() {
      if (running) return;
      running = true;
      listener.start();
      for (const subscriber of options.subscribers) loops.push(runSubscriber(subscriber));
    },
    async stop() {
      if (!running) return;
      running = false;
      wakeAll();
      await listener.stop();
      await Promise.allSettled(loops);
      loops.length = 0;
      await db.pool
        .query(`UPDATE event_cursors SET owner_id = NULL, owned_until = NULL WHERE owner_id = $1`, [id])
        .catch((error: unknown) => logger.warn({ error: describeError(error) }, 'could not release subscriber cursors'));
    },
  };
}
