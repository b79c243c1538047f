/**
 * `/alerts` (viewer): alerts by status — open (the review queue), acknowledged, resolved — with severity,
 * step, task link and times; operators acknowledge alerts and resend dead-letter messages and engine events.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { ALERT_STATUSES, alertListQuerySchema, countAlertsByStatus, listAlerts, listDeadLetters } from '@/lib/monitoring/alert-queries';
import { listEventDeadLetters } from '@/lib/monitoring/event-dead-letters';
import { formatTimestamp } from '@/lib/time/format';
import { AcknowledgeAlertForm, ResendEventForm, ResendMessageForm } from './alert-forms';

export const metadata: Metadata = { title: 'Alerts' };
export const dynamic = 'force-dynamic';

const eventLabel = (dead: { eventName: string; stepName: string | null }) => `${dead.eventName}${dead.stepName ? ` (${dead.stepName})` : ''}`;

const SEVERITY_LABEL = { critical: 'Critical — pages on-call', high: 'High — #data-team', medium: 'Medium — review' } as const;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await requirePageRole('viewer');
  const { status } = alertListQuerySchema.parse(await searchParams);
  const { pool } = getDb();
  const [alerts, counts, deadLetters, deadEvents] = await Promise.all([
    listAlerts(pool, status),
    countAlertsByStatus(pool),
    listDeadLetters(pool),
    listEventDeadLetters(pool),
  ]);
  const canOperate = hasRole(principal.role, 'operator');

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
        <p className="text-sm text-foreground-muted">
          Final step failures routed by severity, missed or endangered deadlines, and data-quality warnings. Open medium alerts are the review queue.
        </p>
      </div>
      <nav aria-label="Alert status">
        <ul className="flex gap-2">
          {ALERT_STATUSES.map((item) => (
            <li key={item}>
              <Link
                href={`/alerts?status=${item}`}
                aria-current={item === status ? 'page' : undefined}
                className="rounded-control px-3 py-2 text-sm font-medium capitalize hover:bg-surface-muted aria-[current=page]:bg-surface-muted aria-[current=page]:underline"
              >
                {item} ({counts[item]})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Card>
        <CardHeader>
          <CardTitle className="capitalize">{status} alerts</CardTitle>
        </CardHeader>
        <CardContent>
          <ListTable
            testId="alerts-table"
            rows={alerts}
            rowKey={(alert) => alert.id}
            empty={`No ${status} alerts.`}
            columns={[
              {
                header: 'Severity',
                cell: (alert) => (
                  <Badge tone={alert.severity === 'critical' ? 'accent' : alert.severity === 'high' ? 'neutral' : 'outline'}>{SEVERITY_LABEL[alert.severity]}</Badge>
                ),
              },
              { header: 'Alert', className: 'max-w-md', cell: (alert) => alert.title },
              { header: 'Step', className: 'font-mono text-xs', cell: (alert) => alert.stepName ?? '—' },
              {
                header: 'Run',
                cell: (alert) =>
                  alert.taskId ? (
                    <Link href={`/runs/${alert.taskId}`} className="font-mono text-xs underline">
                      {alert.taskId.slice(0, 8)}
                    </Link>
                  ) : (
                    '—'
                  ),
              },
              { header: 'Raised', className: 'whitespace-nowrap text-foreground-muted', cell: (alert) => formatTimestamp(alert.createdAt) },
              {
                header: status === 'resolved' ? 'Resolved' : status === 'acknowledged' ? 'Acknowledged' : 'Action',
                className: 'whitespace-nowrap text-foreground-muted',
                cell: (alert) => (
                  <>
                    {alert.status === 'resolved' && `${formatTimestamp(alert.resolvedAt)} (${alert.resolvedReason ?? 'resolved'})`}
                    {alert.status === 'acknowledged' && `${formatTimestamp(alert.acknowledgedAt)} by ${alert.acknowledgedBy ?? 'someone'}`}
                    {alert.status === 'open' && (canOperate ? <AcknowledgeAlertForm alertId={alert.id} title={alert.title} /> : 'Open')}
                  </>
                ),
              },
            ]}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Undelivered messages</CardTitle>
          <CardDescription>Slack and PagerDuty messages that failed every attempt (dead letters). Resending starts a fresh set of attempts.</CardDescription>
        </CardHeader>
        <CardContent>
          <ListTable
            testId="dead-letters-table"
            rows={deadLetters}
            rowKey={(message) => message.id}
            empty="Every message was delivered or is still being tried."
            columns={[
              { header: 'Target', cell: (message) => (message.target === 'pagerduty' ? 'PagerDuty' : 'Slack') },
              { header: 'Destination', className: 'font-mono text-xs', cell: (message) => message.destination },
              { header: 'Attempts', cell: (message) => message.attempts },
              { header: 'Last error', className: 'max-w-md text-xs break-words', cell: (message) => message.lastError ?? '—' },
              { header: 'Last try', className: 'whitespace-nowrap text-foreground-muted', cell: (message) => formatTimestamp(message.updatedAt) },
              {
                header: 'Action',
                cell: (message) => (canOperate ? <ResendMessageForm messageId={message.id} destination={message.destination} /> : '—'),
              },
            ]}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Undelivered events</CardTitle>
          <CardDescription>
            Run events a subscriber (such as the pipeline monitor, which raises these alerts) failed on every attempt. Later events of the same run
            were delivered without them. Resending delivers the event once more, with a fresh set of attempts.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ListTable
            testId="dead-events-table"
            rows={deadEvents}
            rowKey={(dead) => dead.id}
            empty="Every event was delivered or is still being tried."
            columns={[
              { header: 'Subscriber', className: 'font-mono text-xs', cell: (dead) => dead.subscriber },
              { header: 'Event', className: 'font-mono text-xs', cell: (dead) => eventLabel(dead) },
              {
                header: 'Run',
                cell: (dead) => (
                  <Link href={`/runs/${dead.taskId}`} className="font-mono text-xs underline">
                    {dead.taskId.slice(0, 8)}
                  </Link>
                ),
              },
              { header: 'Attempts', cell: (dead) => dead.attempts },
              { header: 'Last error', className: 'max-w-md text-xs break-words', cell: (dead) => dead.lastError ?? '—' },
              { header: 'Given up', className: 'whitespace-nowrap text-foreground-muted', cell: (dead) => formatTimestamp(dead.deadAt) },
              {
                header: 'Action',
                cell: (dead) => (canOperate ? <ResendEventForm deliveryId={dead.id} label={`${eventLabel(dead)} for ${dead.subscriber}`} /> : '—'),
              },
            ]}
          />
        </CardContent>
      </Card>
    </div>
  );
}
