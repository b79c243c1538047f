/**
 * `/reliability` (viewer and above): the seed's promises measured — on-time delivery, failures, automatic recovery,
 * people needed, pages and finish times — per period, for one pipeline (lib/reliability). The same report as
 * GET /api/slo; every figure links to the runs behind it.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { FinishChart } from '@/components/reliability/finish-chart';
import { minutesLabel } from '@/lib/reliability/format';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cachedAnswers } from '@/lib/answers';
import { requirePageRole } from '@/lib/auth/guards';
import { firstValues } from '@/lib/console/run-filters';
import { sloQuerySchema, type ReliabilityDay, type ReliabilityPeriod, type ReliabilityReport } from '@/lib/reliability/slo';
import type { Ratio } from '@/lib/status/derive';
import { formatDateTime, formatDay } from '@/lib/time/format';

export const metadata: Metadata = { title: 'Reliability' };
export const dynamic = 'force-dynamic';

const DAY_CHOICES = [7, 30, 90] as const;

const percent = (ratio: Ratio | null) => (ratio?.percent === null || ratio?.percent === undefined ? '—' : `${ratio.percent}%`);
const linkClass = 'underline underline-offset-2 hover:text-accent';

/** The runs list for a period (its filters count created days in UTC, as the list shows them). */
function runsHref(report: ReliabilityReport, period: Pick<ReliabilityPeriod, 'from' | 'to'>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ pipeline: report.pipeline, created_from: period.from, created_to: period.to, ...extra });
  return `/runs?${params.toString()}`;
}

function dayHref(report: ReliabilityReport, day: ReliabilityDay): string {
  return day.run_ids[0] ? `/runs/${day.run_ids[0]}` : runsHref(report, { from: day.date, to: day.date });
}

const OUTCOME_TEXT: Record<ReliabilityDay['outcome'], string> = {
  on_time: 'On time', late: 'Late', failed: 'Missed: failed', no_run: 'Missed: no run', pending: 'Not due yet', not_tracked: 'Not tracked',
};

function causeText(day: ReliabilityDay, timeZone: string): string {
  if (day.cause) {
    return `${day.cause.step} failed first${day.cause.error_class ? ` with ${day.cause.error_class}` : ''} at ${formatDateTime(day.cause.failed_at, timeZone)}`;
  }
  return day.explanation ?? '';
}

const choiceHref = (pipeline: string, days: number) => `/reliability?${new URLSearchParams({ pipeline, days: String(days) }).toString()}`;

function PeriodRow({ report, period }: { report: ReliabilityReport; period: ReliabilityPeriod }) {
  // To the newest of the days in the list of late and missed days, which shows all 90 days when asked to.
  const days = (list: string[]) => (list.length === 0 ? '0' : <a className={linkClass} href={`${choiceHref(report.pipeline, 90)}#day-${list[list.length - 1]}`}>{list.length}</a>);
  return (
    <TableRow>
      <th scope="row" className="px-3 py-2.5 text-left align-middle text-sm font-medium">
        {period.label}
        <span className="block text-xs font-normal text-foreground-muted">{formatDay(period.from)} – {formatDay(period.to)}</span>
      </th>
      {report.delivered && (
        <>
          <TableCell className="tabular-nums">
            <Link className={linkClass} href={runsHref(report, period)}>{percent(period.on_time)}</Link>
            <span className="block text-xs text-foreground-muted">{period.on_time?.numerator ?? 0} of {period.days_due} days due</span>
          </TableCell>
          <TableCell className="tabular-nums">{days(period.late_days)}</TableCell>
          <TableCell className="tabular-nums">{days(period.missed_days)}</TableCell>
        </>
      )}
      <TableCell className="tabular-nums">
        <Link className={linkClass} href={runsHref(report, period, { status: 'failed' })} data-testid="failed-runs-link">{percent(period.runs.failure_rate)}</Link>
        <span className="block text-xs text-foreground-muted">
          {period.runs.failed} of <Link className={linkClass} href={runsHref(report, period)}>{period.runs.finished} finished</Link>
        </span>
      </TableCell>
      <TableCell className="tabular-nums">
        <Link className={linkClass} href={runsHref(report, period)}>{percent(period.automatic_recovery)}</Link>
        <span className="block text-xs text-foreground-muted">{period.automatic_recovery.numerator} of {period.automatic_recovery.denominator} failed attempts</span>
      </TableCell>
      <TableCell className="tabular-nums">
        <Link className={linkClass} href={runsHref(report, period)}>{period.needed_person}</Link>
      </TableCell>
      <TableCell className="tabular-nums">
        <Link className={linkClass} href="/alerts?status=resolved">{period.pages.sent}</Link>
        <span className="block text-xs text-foreground-muted">
          {period.pages.mean_minutes_to_resolve === null ? 'none resolved' : `resolved in ${period.pages.mean_minutes_to_resolve} min on average`}
        </span>
      </TableCell>
      {report.delivered && (
        <TableCell className="tabular-nums">
          {period.finish_vs_deadline.median_minutes === null ? '—' : minutesLabel(period.finish_vs_deadline.median_minutes)}
          <span className="block text-xs text-foreground-muted">
            {period.finish_vs_deadline.p95_minutes === null ? 'no delivery' : `p95 ${minutesLabel(period.finish_vs_deadline.p95_minutes)}`}
          </span>
        </TableCell>
      )}
    </TableRow>
  );
}

export default async function ReliabilityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole('viewer');
  const answers = cachedAnswers();
  const parsed = sloQuerySchema.safeParse(firstValues(await searchParams));
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  const query = parsed.success ? parsed.data : sloQuerySchema.parse({});
  let answer = await answers.reliability(query);
  if (!answer) {
    problems.push(`${query.pipeline ?? ''} is not a pipeline served here, so the delivered pipeline is shown.`);
    answer = await answers.reliability({ days: query.days });
  }
  if (!answer) throw new Error('the delivered pipeline has no reliability report');
  const report = answer.value;
  const troubled = report.days.filter((day) => day.outcome === 'late' || day.outcome === 'failed' || day.outcome === 'no_run').reverse();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Reliability</h1>
        <p className="text-sm text-foreground-muted">
          {report.delivered
            ? `Whether ${report.pipeline}'s daily delivery met its ${report.deadline} deadline (${report.time_zone}), and how its runs fared. A day is due once its deadline has passed; a day with no run counts as missed.`
            : `How ${report.pipeline}'s runs fared. It has no daily delivery, so there are no on-time figures.`}
        </p>
        {problems.length > 0 && (
          <ul role="alert" className="text-sm text-status-failed">
            {problems.map((problem) => <li key={problem}>{problem}</li>)}
          </ul>
        )}
      </div>
      <nav aria-label="Pipeline and period" className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <span>
          Pipeline:{' '}
          {answers.reliabilityPipelines().map((pipeline, index) => (
            <span key={pipeline}>
              {index > 0 && ' · '}
              <Link className={linkClass} href={choiceHref(pipeline, query.days)} aria-current={pipeline === report.pipeline ? 'page' : undefined}>{pipeline}</Link>
            </span>
          ))}
        </span>
        <span>
          Days shown:{' '}
          {DAY_CHOICES.map((days, index) => (
            <span key={days}>
              {index > 0 && ' · '}
              <Link className={linkClass} href={choiceHref(report.pipeline, days)} aria-current={days === query.days ? 'page' : undefined}>{days}</Link>
            </span>
          ))}
        </span>
      </nav>
      <Card>
        <CardHeader>
          <CardTitle as="h2">Per period</CardTitle>
          <CardDescription>
            Run figures count every run created in the period, backfills included; failed attempts recovered automatically when a later attempt of the
            same step completed without an operator. Pages are critical alerts sent to the on-call.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Table label="Reliability per period" data-testid="reliability-periods">
            <TableHeader>
              <TableRow>
                <TableHead>Period</TableHead>
                {report.delivered && (
                  <>
                    <TableHead>On time</TableHead>
                    <TableHead>Late days</TableHead>
                    <TableHead>Missed days</TableHead>
                  </>
                )}
                <TableHead>Run failure rate</TableHead>
                <TableHead>Automatic recovery</TableHead>
                <TableHead>Runs that needed a person</TableHead>
                <TableHead>Pages</TableHead>
                {report.delivered && <TableHead>Finish vs deadline (median)</TableHead>}
              </TableRow>
            </TableHeader>
            <TableBody>
              {[report.summary, ...report.periods.filter((period) => period.key !== report.summary.key)].map((period) => (
                <PeriodRow key={period.key} report={report} period={period} />
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      {report.delivered && report.deadline && (
        <>
          <FinishChart days={report.days} deadline={report.deadline} />
          <Card>
            <CardHeader>
              <CardTitle as="h2">Late and missed days</CardTitle>
              <CardDescription>The last {query.days} days, newest first, with what went wrong first.</CardDescription>
            </CardHeader>
            <CardContent>
              {troubled.length === 0 ? (
                <p className="text-sm text-foreground-muted" data-testid="reliability-no-trouble">
                  {report.summary.days_due === 0
                    ? `No day was due in the last ${query.days} days: tracking begins the day after the first schedule was created.`
                    : `Every day due in the last ${query.days} days was delivered on time.`}
                </p>
              ) : (
                <Table label="Late and missed days" data-testid="reliability-days">
                  <TableHeader>
                    <TableRow>
                      <TableHead>Day</TableHead>
                      <TableHead>Outcome</TableHead>
                      <TableHead>Published</TableHead>
                      <TableHead>Cause</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {troubled.map((day) => (
                      <TableRow key={day.date} id={`day-${day.date}`}>
                        <TableCell><Link className={linkClass} href={dayHref(report, day)}>{formatDay(day.date)}</Link></TableCell>
                        <TableCell>{OUTCOME_TEXT[day.outcome]}</TableCell>
                        <TableCell>{day.delivered_at ? `${formatDateTime(day.delivered_at, report.time_zone)} (${minutesLabel(day.minutes_vs_deadline ?? 0)})` : '—'}</TableCell>
                        <TableCell>{causeText(day, report.time_zone)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
