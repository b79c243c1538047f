/**
 * The fan-out from the outbox into per-subscriber deliveries, and the registry of subscribers it fans out to.
 * The SQL function nightshift_fan_out_events (drizzle/0019_event_deliveries.sql) explains why it needs no
 * transaction horizon.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import type { EventName } from './types';

export interface FanOutResult {
  /** Outbox rows above the mark that this call read; equal to the limit means more are waiting. */
  scanned: number;
  /** Deliveries created (new events and gaps that committed since). */
  created: number;
}

/** One fan-out step; `{ scanned: 0, created: 0 }` also when another dispatcher is fanning out right now. */
export async function fanOutEvents(pool: pg.Pool, limit: number): Promise<FanOutResult> {
  const { rows } = await pool.query<FanOutResult>(`SELECT scanned, created FROM nightshift_fan_out_events($1)`, [limit]);
  return rows[0] ?? { scanned: 0, created: 0 };
}

export interface SubscriberRegistration {
  name: string;
  events: readonly EventName[];
  startAt: 'earliest' | 'latest';
}

/**
 * Registers a subscriber, or updates the events it wants. Runs with the fan-out row locked, so no fan-out runs
 * between reading the mark and recording the subscriber: a new subscriber starting at the earliest event gets a
 * delivery for every stored event up to the mark here and for every later one from the fan-out, none twice; one
 * starting at the latest gets only events above the mark. Pending deliveries of events it no longer wants go.
 */
export async function registerSubscriber(pool: pg.Pool, registration: SubscriberRegistration): Promise<void> {
  await withTransaction(pool, async (client) => {
    const mark = await client.query<{ lastEventId: string }>(
      `SELECT last_event_id AS "lastEventId" FROM event_fanout WHERE id = 1 FOR UPDATE`,
    );
    const lastEventId = mark.rows[0]?.lastEventId ?? '0';
    const inserted = await client.query(
      `INSERT INTO event_subscribers (name, events, start_after_event_id) VALUES ($1, $2::text[], $3::bigint)
       ON CONFLICT (name) DO UPDATE SET events = excluded.events, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [registration.name, registration.events, registration.startAt === 'latest' ? lastEventId : '0'],
    );
    const isNew = inserted.rows[0]?.inserted === true;
    if (isNew && registration.startAt === 'earliest') {
      await client.query(
        `INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name)
         SELECT $1, id, task_id, name FROM task_events WHERE id <= $2::bigint AND name = ANY ($3::text[]) ORDER BY id
         ON CONFLICT (event_id, subscriber) DO NOTHING`,
        [registration.name, lastEventId, registration.events],
      );
    }
    if (!isNew) {
      await client.query(
        `DELETE FROM event_deliveries
          WHERE subscriber = $1 AND delivered_at IS NULL AND dead_at IS NULL AND event_name <> ALL ($2::text[])`,
        [registration.name, registration.events],
      );
    }
  });
}
