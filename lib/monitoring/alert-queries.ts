/** Reads for the /alerts page: alerts by status (newest first), counts per status, and the dead letters. */
import type pg from 'pg';
import { z } from 'zod';
import type { AlertSeverity, AlertStatus, MessageTarget } from '@/db/schema';

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
