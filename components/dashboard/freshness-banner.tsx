/** The banner above the dashboard: which data this is ("Data as of …, window …, run #…") and how fresh it is. */
import Link from 'next/link';
import { cn } from '@/components/ui/cn';
import type { DashboardData } from '@/lib/dashboard/read-model';
import { formatDay, formatTimestamp } from './format';

const APPEARANCE = {
  fresh: { label: 'Fresh', className: 'border-status-completed bg-status-completed-tint text-status-completed' },
  stale: { label: 'Stale', className: 'border-status-retrying bg-status-retrying-tint text-status-retrying' },
  refreshing: { label: 'Refreshing', className: 'border-status-running bg-status-running-tint text-status-running' },
  failed: { label: 'Last run failed', className: 'border-status-failed bg-status-failed-tint text-status-failed' },
} as const;

export function FreshnessBanner({ data, isOperator }: { data: DashboardData; isOperator: boolean }) {
  const { snapshot, freshness } = data;
  const appearance = APPEARANCE[freshness.state];
  const explanation = {
    fresh: 'This is the latest daily delivery.',
    stale: `Older than the expected daily delivery (data through ${formatDay(freshness.expectedWindowEnd)}).`,
    refreshing: 'A new run is in progress; these figures stay until it publishes.',
    failed: 'The most recent run failed; these are the last published figures.',
  }[freshness.state];
  return (
    <section
      aria-label="Data freshness"
      data-testid="freshness-banner"
      data-freshness={freshness.state}
      className="flex flex-col gap-2 rounded-card border border-border bg-surface p-4 sm:flex-row sm:items-center sm:justify-between"
    >
      <div className="flex flex-col gap-1">
        <p className="text-sm">
          Data as of <strong>{formatTimestamp(snapshot.publishedAt)}</strong>, window{' '}
          <strong>
            {formatDay(snapshot.windowStart)} – {formatDay(snapshot.windowEnd)}
          </strong>
          , run <strong data-testid="snapshot-run">#{snapshot.id}</strong>
          {!snapshot.isCurrent && <> (an earlier snapshot — <Link className="text-link underline" href="/">show the current one</Link>)</>}
        </p>
        <p className="text-sm text-foreground-muted">{explanation}</p>
      </div>
      <div className="flex items-center gap-3">
        <span role="status" className={cn('rounded-full border px-3 py-1 text-sm font-semibold', appearance.className)}>
          {appearance.label}
        </span>
        {isOperator && freshness.taskId && (
          <Link className="text-sm text-link underline" href={`/runs/${freshness.taskId}`}>
            {freshness.state === 'failed' ? 'Open the failed run' : 'Open the running run'}
          </Link>
        )}
      </div>
    </section>
  );
}
