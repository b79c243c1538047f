/**
 * Alerts: raising one (stored, then routed by severity into the outbox, all in the caller's transaction),
 * resolving (PagerDuty resolve and follow-up messages), and acknowledging (an operator, audited).
 *
 * Idempotency: at most one unresolved alert per dedup key (a partial unique index) and at most one alert per
 * engine event, so the at-least-once event stream never raises or pages twice.
 */
import type pg from 'pg';
import type { AlertSeverity, AlertStatus } from '@/db/schema';
import { withTransaction } from '@/db/transaction';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import type { JsonValue } from '@/lib/engine';
import {
  pagerDutyResolve,
  pagerDutyTrigger,
  slackAlertMessage,
  slackResolvedMessage,
  type AlertForMessage,
  type Resolution,
} from './messages';
import { enqueueMessages, type NewMessage, type Queryable } from './outbox';
import { channelFor, ROUTING_TABLE, type AudienceChannels } from './routing';

export interface NewAlert {
  kind: string;
  dedupKey: string;
  severity: AlertSeverity;
  taskId?: string | null;
  stepName?: string | null;
  title: string;
  details?: Record<string, JsonValue | undefined>;
  sourceEventId?: number | null;
  /** Slack channels by audience (the failed step's pipeline's); the defaults when absent. */
  channels?: Partial<AudienceChannels>;
}

export interface RoutingOptions {
  /** Base of the task links in messages (ALERT_LINK_BASE_URL or this server). */
  linkBaseUrl: string;
}

const ALERT_COLUMNS = `id, kind, dedup_key AS "dedupKey", severity, task_id AS "taskId", step_name AS "stepName", title, details,
  created_at AS "createdAt", channels`;

type RoutedAlert = AlertForMessage & { channels: unknown };

function messagesFor(alert: RoutedAlert, phase: 'raise' | 'resolve', reason: string, options: RoutingOptions, resolution?: Resolution): NewMessage[] {
  const messages: NewMessage[] = [];
  for (const route of ROUTING_TABLE[alert.severity]) {
    if (route.kind === 'page') {
      messages.push({
        idempotencyKey: `alert:${alert.id}:${phase}:pagerduty`,
        alertId: alert.id,
        target: 'pagerduty',
        destination: alert.dedupKey,
        orderingKey: `pagerduty:${alert.dedupKey}`,
        payload: phase === 'raise' ? pagerDutyTrigger(alert, options.linkBaseUrl) : pagerDutyResolve(alert),
      });
    } else if (route.kind === 'slack') {
      // The resolve reads the channels stored with the alert, so its follow-up goes where the alert went.
      const channel = channelFor(alert.channels, route.audience);
      messages.push({
        idempotencyKey: `alert:${alert.id}:${phase}:slack:${channel}`,
        alertId: alert.id,
        target: 'slack',
        destination: channel,
        orderingKey: `slack:${channel}`,
        payload:
          phase === 'raise'
            ? slackAlertMessage(alert, channel, route.audience, options.linkBaseUrl)
            : slackResolvedMessage(alert, channel, route.audience, reason, options.linkBaseUrl, resolution),
      });
    }
  }
  return messages;
}

/** Stores the alert and enqueues its messages. `created` is false when an unresolved alert (or this event's) already exists. */
export async function raiseAlert(client: Queryable, alert: NewAlert, options: RoutingOptions): Promise<{ alertId: number | null; created: boolean }> {
  const inserted = await client.query<RoutedAlert>(
    `INSERT INTO alerts (kind, dedup_key, severity, task_id, step_name, title, details, source_event_id, channels)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING
     RETURNING ${ALERT_COLUMNS}`,
    [
      alert.kind,
      alert.dedupKey,
      alert.severity,
      alert.taskId ?? null,
      alert.stepName ?? null,
      alert.title,
      JSON.stringify(alert.details ?? {}),
      alert.sourceEventId ?? null,
      JSON.stringify(alert.channels ?? {}),
    ],
  );
  const row = inserted.rows[0];
  if (!row) return { alertId: null, created: false };
  await enqueueMessages(client, messagesFor(row, 'raise', '', options));
  return { alertId: row.id, created: true };
}

/** Resolves the unresolved alert(s) with this key and enqueues the resolve / follow-up messages. */
export async function resolveAlerts(
  client: Queryable,
  dedupKey: string,
  reason: string,
  options: RoutingOptions,
  resolution: Resolution = { kind: 'fixed' },
): Promise<number[]> {
  const resolved = await client.query<RoutedAlert>(
    `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_reason = $2
      WHERE dedup_key = $1 AND status <> 'resolved'
      RETURNING ${ALERT_COLUMNS}`,
    [dedupKey, reason],
  );
  for (const alert of resolved.rows) await enqueueMessages(client, messagesFor(alert, 'resolve', reason, options, resolution));
  return resolved.rows.map((alert) => alert.id);
}

export async function acknowledgeAlert(pool: pg.Pool, alertId: number, actor: AuditActor): Promise<void> {
  await withTransaction(pool, async (client) => {
    const updated = await client.query<{ status: AlertStatus; title: string }>(
      `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2
        WHERE id = $1 AND status = 'open'
        RETURNING status, title`,
      [alertId, actor.actorLabel],
    );
    const row = updated.rows[0];
    if (!row) throw new UserFacingError(`Alert ${alertId} is not open (already acknowledged or resolved).`, 409);
    await recordAudit(client, { ...actor, action: 'alert.acknowledge', target: `alert:${alertId}`, details: { title: row.title } });
  });
}
