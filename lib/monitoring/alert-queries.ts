/** Reads for the /alerts page: alerts by status (newest first), counts per status, and the dead letters. */
import type pg from 'pg';
import { z } from 'zod';
import type { AlertSeverity, AlertStatus, MessageTarget } from '@/db/schema';
import { ROUTING_TABLE } from './routing';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const satisfies readonly AlertStatus[];
export const alertListQuerySchema = z.object({ status: z.enum(ALERT_STATUSES).catch('open') });

export interface AlertListItem {
  id: number;
  kind: string;
  severity: AlertSeverity;
  status: AlertStatus;
  taskId: string | null;
  stepName: string | null;
  title: string;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedReason: string | null;
}

export interface DeadLetter {
  id: number;
  alertId: number | null;
  target: MessageTarget;
  destination: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const PAGE_LIMIT = 200;

export async function listAlerts(pool: pg.Pool, status: AlertStatus): Promise<AlertListItem[]> {
  const { rows } = await pool.query<AlertListItem>(
    `SELECT id, kind, severity, status, task_id AS "taskId", step_name AS "stepName", title, created_at AS "createdAt",
            acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy", resolved_at AS "resolvedAt",
            resolved_reason AS "resolvedReason"
       FROM alerts WHERE status = $1
      ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, created_at DESC
      LIMIT $2`,
    [status, PAGE_LIMIT],
  );
  return rows;
}

export async function countAlertsByStatus(pool: pg.Pool): Promise<Record<AlertStatus, number>> {
  const { rows } = await pool.query<{ status: AlertStatus; count: number }>(`SELECT status, count(*)::int AS count FROM alerts GROUP BY status`);
  const counts: Record<AlertStatus, number> = { open: 0, acknowledged: 0, resolved: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

export async function listDeadLetters(pool: pg.Pool): Promise<DeadLetter[]> {
  const { rows } = await pool.query<DeadLetter>(
    `SELECT id, alert_id AS "alertId", target, destination, attempts, last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM outgoing_messages WHERE status = 'dead' ORDER BY id DESC LIMIT $1`,
    [PAGE_LIMIT],
  );
  return rows;
}

export interface PageCounts {
  since: Date;
  /** Alerts that paged the on-call (severity critical, by the routing table) raised since `since`. */
  pages: number;
  resolved: number;
  /** Minutes from raising to resolving, summed over the resolved ones (a sum, so periods subtract). */
  minutesToResolve: number;
}

/**
 * Pages of one pipeline per period start, in the order given: the alerts store the pipeline they are about in
 * `details` (namespace, taskName), so no run needs reading. One round trip for all periods.
 */
export async function readPageCounts(pool: pg.Pool, pipeline: { namespace: string; name: string }, periodStarts: readonly Date[]): Promise<PageCounts[]> {
  if (periodStarts.length === 0) return [];
  const paging = Object.entries(ROUTING_TABLE)
    .filter(([, routes]) => routes.some((route) => route.kind === 'page'))
    .map(([severity]) => severity);
  const { rows } = await pool.query<{ ord: number; pages: number; resolved: number; minutes: number }>(
    `SELECT p.ord::int AS ord, count(a.id)::int AS pages, count(a.resolved_at)::int AS resolved,
            coalesce(sum(extract(epoch FROM a.resolved_at - a.created_at)) / 60, 0)::float8 AS minutes
       FROM unnest($3::timestamptz[]) WITH ORDINALITY AS p(since, ord)
       LEFT JOIN alerts a ON a.created_at >= p.since AND a.severity::text = ANY ($4::text[])
                         AND a.details->>'namespace' = $1 AND a.details->>'taskName' = $2
      GROUP BY p.ord ORDER BY p.ord`,
    [pipeline.namespace, pipeline.name, periodStarts, paging],
  );
  return rows.map((row) => ({
    since: periodStarts[row.ord - 1] ?? new Date(0),
    pages: row.pages,
    resolved: row.resolved,
    minutesToResolve: row.minutes,
  }));
}
