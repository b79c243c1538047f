/**
 * The public status page's body, from a PublicStatus (lib/status). Everything shown is already public: states,
 * times, counts and percentages; nothing here can reach error text or customer data.
 */
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { Progress } from '@/components/ui/progress';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Tooltip } from '@/components/ui/tooltip';
import type { DayOutcome, OverallState, PublicStatus, Ratio } from '@/lib/status';
import { formatDay, formatDuration, formatDateTime } from '@/lib/time/format';

const OVERALL: Record<OverallState, { label: string; className: string }> = {
  operational: { label: 'Operational', className: 'border-status-completed bg-status-completed-tint text-status-completed' },
  delayed: { label: 'Delayed', className: 'border-status-retrying bg-status-retrying-tint text-status-retrying' },
  degraded: { label: 'Degraded', className: 'border-status-resolved-manually bg-status-resolved-manually-tint text-status-resolved-manually' },
  down: { label: 'Down', className: 'border-status-failed bg-status-failed-tint text-status-failed' },
  awaiting: { label: 'Awaiting first delivery', className: 'border-status-pending bg-status-pending-tint text-status-pending' },
};

const OUTCOME: Record<DayOutcome, { label: string; className: string }> = {
  on_time: { label: 'On time', className: 'bg-status-completed' },
  late: { label: 'Late', className: 'bg-status-retrying' },
  failed: { label: 'Failed', className: 'bg-status-failed' },
  no_run: { label: 'No run', className: 'bg-border-strong' },
  pending: { label: 'Not due yet', className: 'bg-status-running-tint ring-1 ring-status-running ring-inset' },
  not_tracked: { label: 'Not tracked', className: 'bg-surface-muted' },
};

function percentText(ratio: Ratio): string {
  return ratio.percent === null ? '—' : `${ratio.percent.toFixed(1)}%`;
}

function Metric({ label, ratio, detail, testId }: { label: string; ratio: Ratio; detail: string; testId: string }) {
  return (
    <div className="flex flex-col gap-1" data-testid={testId}>
      <dt className="text-sm text-foreground-muted">{label}</dt>
      <dd className="text-2xl font-semibold tabular-nums">{percentText(ratio)}</dd>
      <dd className="text-xs text-foreground-muted">
        {ratio.numerator} of {ratio.denominator} {detail}
      </dd>
    </div>
  );
}

function dayDescription(day: PublicStatus['history'][number], timeZone: string): string {
  const published = day.delivered_at ? `, published ${formatDateTime(day.delivered_at, timeZone)}` : '';
  return `${formatDay(day.date)}: ${OUTCOME[day.outcome].label}${published} (deadline ${formatDateTime(day.deadline_at, timeZone)})`;
}

export function StatusView({ status }: { status: PublicStatus }) {
  const overall = OVERALL[status.overall.state];
  const timeZone = status.delivery.time_zone;
  const { today } = status;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Nightshift status</h1>
        <p className="text-foreground-muted">
          Whether today&rsquo;s dashboard numbers are in. The daily delivery is due by {status.delivery.deadline} ({timeZone}).
        </p>
      </div>

      <section
        aria-label="Overall state"
        data-testid="overall-state"
        data-state={status.overall.state}
        className={cn('flex flex-col gap-1 rounded-card border p-5', overall.className)}
      >
        <p className="text-2xl font-semibold">{overall.label}</p>
        <p>{status.overall.reason}</p>
      </section>

      <Card aria-labelledby="today-heading">
        <CardHeader>
          <CardTitle id="today-heading">Today&rsquo;s pipeline · {formatDay(today.date)}</CardTitle>
          <CardDescription>The delivery of yesterday&rsquo;s data.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-foreground-muted">Scheduled start</dt>
              <dd data-testid="scheduled-start">{today.scheduled_start_at ? formatDateTime(today.scheduled_start_at, timeZone) : 'Not scheduled yet'}</dd>
            </div>
            <div>
              <dt className="text-foreground-muted">Estimated completion</dt>
              <dd data-testid="eta">{today.eta_at ? formatDateTime(today.eta_at, timeZone) : '—'}</dd>
            </div>
            <div>
              <dt className="text-foreground-muted">Deadline</dt>
              <dd>{formatDateTime(today.deadline_at, timeZone)}</dd>
            </div>
            <div>
              <dt className="text-foreground-muted">Today&rsquo;s delivery</dt>
              <dd data-testid="today-outcome">{OUTCOME[today.outcome].label}</dd>
            </div>
          </dl>
          {today.expected && (
            <p className={cn('text-sm font-semibold', today.expected.late && 'text-status-failed')} data-testid="delivery-expected" data-late={today.expected.late}>
              {today.expected.text}
            </p>
          )}
          {today.run ? (
            <Progress
              value={today.run.steps_done}
              max={today.run.steps_total}
              label="Today's pipeline progress"
              valueText={`${today.run.steps_done} of ${today.run.steps_total} steps (${today.run.status})`}
            />
          ) : (
            <p className="text-sm text-foreground-muted">No run for today&rsquo;s delivery yet.</p>
          )}
          <p className="text-sm" data-testid="last-delivery">
            {status.last_delivery
              ? `Last successful delivery: ${formatDateTime(status.last_delivery.published_at, timeZone)} (data through ${formatDay(status.last_delivery.window_end)}), ${status.last_delivery.on_time ? 'on time' : 'late'}.`
              : 'No successful delivery yet.'}
          </p>
        </CardContent>
      </Card>

      <Card aria-labelledby="history-heading">
        <CardHeader>
          <CardTitle id="history-heading">Last 90 days</CardTitle>
          <CardDescription>One cell per day, oldest first. Focus or hover a cell for its details.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <ol className="flex flex-wrap gap-1" data-testid="history">
            {status.history.map((day) => {
              const description = dayDescription(day, timeZone);
              return (
                <li key={day.date}>
                  <Tooltip content={description}>
                    <span
                      tabIndex={0}
                      role="img"
                      aria-label={description}
                      data-outcome={day.outcome}
                      data-date={day.date}
                      className={cn('block h-8 w-2.5 rounded-sm focus-visible:outline-2 focus-visible:outline-focus', OUTCOME[day.outcome].className)}
                    />
                  </Tooltip>
                </li>
              );
            })}
          </ol>
          <ul className="flex flex-wrap gap-4 text-xs text-foreground-muted" aria-label="Legend">
            {(Object.keys(OUTCOME) as DayOutcome[]).map((outcome) => (
              <li key={outcome} className="flex items-center gap-1">
                <span aria-hidden="true" className={cn('inline-block h-3 w-2.5 rounded-sm', OUTCOME[outcome].className)} />
                {OUTCOME[outcome].label}
              </li>
            ))}
          </ul>
          <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
            <Metric label="On time, last 30 days" ratio={status.on_time.last_30_days} detail="days with a run" testId="on-time-30" />
            <Metric label="On time, last 90 days" ratio={status.on_time.last_90_days} detail="days with a run" testId="on-time-90" />
            <Metric
              label="Failures recovered automatically"
              ratio={status.automatic_recovery}
              detail="failed attempts fixed by a retry"
              testId="auto-recovery"
            />
          </dl>
          <p className="text-xs text-foreground-muted">
            Days with no run are not counted until runs are scheduled. A failure counts as recovered automatically when a
            later attempt of the same step succeeded without an operator stepping in.
          </p>
        </CardContent>
      </Card>

      <Card aria-labelledby="incidents-heading">
        <CardHeader>
          <CardTitle id="incidents-heading">Incidents</CardTitle>
          <CardDescription>Failed or late deliveries in the last 90 days, newest first.</CardDescription>
        </CardHeader>
        <CardContent>
          {status.incidents.length === 0 ? (
            <p className="text-foreground-muted">No incidents in the last 90 days.</p>
          ) : (
            <Table data-testid="incidents">
              <TableHeader>
                <TableRow>
                  <TableHead>Day</TableHead>
                  <TableHead>What happened</TableHead>
                  <TableHead>Started</TableHead>
                  <TableHead>Resolved</TableHead>
                  <TableHead>Duration</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {status.incidents.map((incident) => (
                  <TableRow key={incident.date}>
                    <TableCell>{formatDay(incident.date)}</TableCell>
                    <TableCell>{incident.kind === 'failed' ? 'Delivery failed' : 'Delivery late'}</TableCell>
                    <TableCell>{formatDateTime(incident.started_at, timeZone)}</TableCell>
                    <TableCell>{incident.resolved_at ? formatDateTime(incident.resolved_at, timeZone) : 'Ongoing'}</TableCell>
                    <TableCell>{incident.duration_ms === null ? '—' : formatDuration(incident.duration_ms)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <p className="text-xs text-foreground-muted">Updated {formatDateTime(status.generated_at, timeZone)}. Also as JSON: /status.json.</p>
    </div>
  );
}
