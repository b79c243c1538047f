/**
 * The outgoing-message outbox: enqueue (inside the caller's transaction, idempotent by key), claim due
 * messages for sending, and record each attempt's outcome. lib/monitoring/delivery.ts drives it.
 */
import type pg from 'pg';
import type { MessageTarget } from '@/db/schema';
import type { JsonValue } from '@/lib/engine';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { withTransaction } from '@/db/transaction';
import { UserFacingError } from '@/lib/auth/errors';

export type Queryable = pg.Pool | pg.ClientBase;

export interface NewMessage {
  idempotencyKey: string;
  alertId?: number | null;
  target: MessageTarget;
  destination: string;
  orderingKey: string;
  payload: JsonValue;
}

export interface ClaimedMessage {
  id: number;
  target: MessageTarget;
  destination: string;
  payload: JsonValue;
  /** Including the attempt just claimed. */
  attempts: number;
}

/** Returns how many were new (a key seen before is skipped: a redelivered event enqueues nothing twice). */
export async function enqueueMessages(client: Queryable, messages: readonly NewMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const inserted = await client.query(
    `INSERT INTO outgoing_messages (idempotency_key, alert_id, target, destination, ordering_key, payload)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::message_target[], $4::text[], $5::text[], $6::jsonb[])
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      messages.map((message) => message.idempotencyKey),
      messages.map((message) => message.alertId ?? null),
      messages.map((message) => message.target),
      messages.map((message) => message.destination),
      messages.map((message) => message.orderingKey),
      messages.map((message) => JSON.stringify(message.payload)),
    ],
  );
  return inserted.rowCount ?? 0;
}

/**
 * Claims up to `limit` due messages, each the oldest pending one of its ordering key, and leases them for
 * `leaseMs`. SKIP LOCKED lets several senders claim side by side without waiting on each other's rows; the
 * NOT EXISTS keeps a later message of the same key (a PagerDuty resolve, the next Slack post to a channel)
 * behind an earlier one that is still retrying, so order per key holds even across senders.
 */
export async function claimDueMessages(pool: pg.Pool, options: { limit: number; leaseMs: number }): Promise<ClaimedMessage[]> {
  const claimed = await pool.query<ClaimedMessage>(
    `WITH due AS (
       SELECT m.id FROM outgoing_messages m
        WHERE m.status = 'pending' AND m.next_attempt_at <= now()
          AND (m.lease_until IS NULL OR m.lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM outgoing_messages earlier
                           WHERE earlier.ordering_key = m.ordering_key AND earlier.status = 'pending' AND earlier.id < m.id)
        ORDER BY m.id
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
     UPDATE outgoing_messages m
        SET attempts = m.attempts + 1, lease_until = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
       FROM due WHERE m.id = due.id
     RETURNING m.id, m.target, m.destination, m.payload, m.attempts`,
    [options.limit, options.leaseMs],
  );
  return claimed.rows.sort((a, b) => a.id - b.id);
}

export async function markDelivered(pool: pg.Pool, messageId: number): Promise<void> {
  await pool.query(
    `UPDATE outgoing_messages SET status = 'delivered', delivered_at = now(), lease_until = NULL, last_error = NULL, updated_at = now()
      WHERE id = $1 AND status = 'pending'`,
    [messageId],
  );
}

/** A failed attempt: try again after `retryInMs`, or (null) give up and keep it as a dead letter. */
export async function markFailed(pool: pg.Pool, messageId: number, error: string, retryInMs: number | null): Promise<void> {
  await pool.query(
    `UPDATE outgoing_messages
        SET status = CASE WHEN $3::float8 IS NULL THEN 'dead'::message_status ELSE 'pending'::message_status END,
            next_attempt_at = CASE WHEN $3::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $3::float8 / 1000) END,
            lease_until = NULL, last_error = $2, updated_at = now()
      WHERE id = $1 AND status = 'pending'`,
    [messageId, error.slice(0, 2_000), retryInMs],
  );
}

/** An operator sends a dead letter again: a fresh retry budget, due at once (audited in the same transaction). */
export async function resendDeadLetter(pool: pg.Pool, messageId: number, actor: AuditActor): Promise<void> {
  await withTransaction(pool, async (client) => {
    const updated = await client.query<{ target: string; destination: string }>(
      `UPDATE outgoing_messages SET status = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, updated_at = now()
        WHERE id = $1 AND status = 'dead'
        RETURNING target, destination`,
      [messageId],
    );
    const row = updated.rows[0];
    if (!row) throw new UserFacingError(`Message ${messageId} is not a dead letter (already resent or delivered).`, 409);
    await recordAudit(client, {
      ...actor,
      action: 'alert.message.resend',
      target: `message:${messageId}`,
      details: { target: row.target, destination: row.destination },
    });
  });
}
