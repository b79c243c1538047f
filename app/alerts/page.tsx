/**
 * `/alerts` (viewer): alerts by status — open (the review queue), acknowledged, resolved — with severity,
 * step, task link and times; operators acknowledge alerts and resend dead-letter messages and engine events.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDb } from '@/db/client';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { ALERT_STATUSES, alertListQuerySchema, countAlertsByStatus, listAlerts, listDeadLetters } from '@/lib/monitoring/alert-queries';
import { listEventDeadLetters } from '@/lib/monitoring/event-dead-letters';
import { formatTimestamp } from '@/lib/monitoring/format';
import { AcknowledgeAlertForm, ResendEventForm, ResendMessageForm } from './alert-forms';

export const metadata: Metadata = { title: 'Alerts' };
export const dynamic = 'force-dynamic';

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
          {alerts.length === 0 ? (
            <p className="text-sm text-foreground-muted">No {status} alerts.</p>
          ) : (
            <Table data-testid="alerts-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Severity</TableHead>
                  <TableHead>Alert</TableHead>
                  <TableHead>Step</TableHead>
                  <TableHead>Run</TableHead>
                  <TableHead>Raised</TableHead>
                  <TableHead>{status === 'resolved' ? 'Resolved' : status === 'acknowledged' ? 'Acknowledged' : 'Action'}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {alerts.map((alert) => (
                  <TableRow key={alert.id}>
                    <TableCell>
                      <Badge tone={alert.severity === 'critical' ? 'accent' : alert.severity === 'high' ? 'neutral' : 'outline'}>
                        {SEVERITY_LABEL[alert.severity]}
                      </Badge>
                    </TableCell>
                    <TableCell className="max-w-md">{alert.title}</TableCell>
                    <TableCell className="font-mono text-xs">{alert.stepName ?? '—'}</TableCell>
                    <TableCell>
                      {alert.taskId ? (
                        <Link href={`/runs/${alert.taskId}`} className="font-mono text-xs underline">
                          {alert.taskId.slice(0, 8)}
                        </Link>
                      ) : (
                        '—'
                      )}
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-foreground-muted">{formatTimestamp(alert.createdAt)}</TableCell>
                    <TableCell className="whitespace-nowrap text-foreground-muted">
                      {alert.status === 'resolved' && `${formatTimestamp(alert.resolvedAt)} (${alert.resolvedReason ?? 'resolved'})`}
                      {alert.status === 'acknowledged' && `${formatTimestamp(alert.acknowledgedAt)} by ${alert.acknowledgedBy ?? 'someone'}`}
                      {alert.status === 'open' && (canOperate ? <AcknowledgeAlertForm alertId={alert.id} title={alert.title} /> : 'Open')}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Undelivered messages</CardTitle>
          <CardDescription>Slack and PagerDuty messages that failed every attempt (dead letters). Resending starts a fresh set of attempts.</CardDescription>
        </CardHeader>
        <CardContent>
          {deadLetters.length === 0 ? (
            <p className="text-sm text-foreground-muted">Every message was delivered or is still being tried.</p>
          ) : (
            <Table data-testid="dead-letters-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Target</TableHead>
                  <TableHead>Destination</TableHead>
                  <TableHead>Attempts</TableHead>
                  <TableHead>Last error</TableHead>
                  <TableHead>Last try</TableHead>
                  <TableHead>Action</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {deadLetters.map((message) => (
                  <TableRow key={message.id}>
                    <TableCell>{message.target === 'pagerduty' ? 'PagerDuty' : 'Slack'}</TableCell>
                    <TableCell className="font-mono text-xs">{message.destination}</TableCell>
                    <TableCell>{message.attempts}</TableCell>
                    <TableCell className="max-w-md text-xs break-words">{message.lastError ?? '—'}</TableCell>
                    <TableCell className="whitespace-nowrap text-foreground-muted">{formatTimestamp(message.updatedAt)}</TableCell>
                    <TableCell>{canOperate ? <ResendMessageForm messageId={message.id} destination={message.destination} /> : '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
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
          {deadEvents.length === 0 ? (
            <p className="text-sm text-foreground-muted">Every event was delivered or is still being tried.</p>
          ) : (
            <Table data-testid="dead-events-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Subscriber</TableHead>
                  <TableHead>Event</TableHead>
                  <TableHead>Run</TableHead>
                  <TableHead>Attempts</TableHead>
                  <TableHead>Last error</TableHead>
                  <TableHead>Given up</TableHead>
                  <TableHead>Action</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {deadEvents.map((dead) => {
                  const label = `${dead.eventName}${dead.stepName ? ` (${dead.stepName})` : ''}`;
                  return (
                    <TableRow key={dead.id}>
                      <TableCell className="font-mono text-xs">{dead.subscriber}</TableCell>
                      <TableCell className="font-mono text-xs">{label}</TableCell>
                      <TableCell>
                        <Link href={`/runs/${dead.taskId}`} className="font-mono text-xs underline">
                          {dead.taskId.slice(0, 8)}
                        </Link>
                      </TableCell>
                      <TableCell>{dead.attempts}</TableCell>
                      <TableCell className="max-w-md text-xs break-words">{dead.lastError ?? '—'}</TableCell>
                      <TableCell className="whitespace-nowrap text-foreground-muted">{formatTimestamp(dead.deadAt)}</TableCell>
                      <TableCell>{canOperate ? <ResendEventForm deliveryId={dead.id} label={`${label} for ${dead.subscriber}`} /> : '—'}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
