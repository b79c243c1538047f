/**
 * The banner above the dashboard: which snapshot this is ("Data as of …, window …, snapshot #…"), what kind of
 * run produced it, and how fresh it is. A snapshot picked from history, or a held one opened for review, says so
 * and links back to the default view.
 */
import Link from 'next/link';
import { cn } from '@/components/ui/cn';
import type { DashboardData } from '@/lib/dashboard/read-model';
import { KIND_LABELS } from '@/lib/delivery/definition';
import { formatDay, formatDateTime } from '@/lib/time/format';

const APPEARANCE = {
  fresh: { label: 'Fresh', className: 'border-status-completed bg-status-completed-tint text-status-completed' },
  stale: { label: 'Stale', className: 'border-status-retrying bg-status-retrying-tint text-status-retrying' },
  refreshing: { label: 'Refreshing', className: 'border-status-running bg-status-running-tint text-status-running' },
  failed: { label: 'Last run failed', className: 'border-status-failed bg-status-failed-tint text-status-failed' },
  history: { label: 'Not the default view', className: 'border-status-pending bg-surface text-foreground' },
  held: { label: 'Held for review', className: 'border-status-retrying bg-status-retrying-tint text-status-retrying' },
} as const;

export function FreshnessBanner({ data, isOperator }: { data: DashboardData; isOperator: boolean }) {
  const { snapshot, freshness } = data;
  const appearance = APPEARANCE[freshness.state];
  const kind = KIND_LABELS[snapshot.kind].toLowerCase();
  const backToDefault = data.defaultSnapshotId !== null && (
    <Link className="text-link underline" href="/" data-testid="default-view-link">
      show the default view
    </Link>
  );
  const explanation = {
    fresh: 'This is the latest daily delivery.',
    stale: `The latest daily delivery is older than expected (data through ${formatDay(freshness.expectedWindowEnd)} is due).`,
    refreshing: "Today's delivery run is in progress; these figures stay until it publishes.",
    failed: 'The most recent delivery run failed; these are the last delivered figures.',
    history: <>This is a {kind} snapshot from the history, not the default view{backToDefault ? <> — {backToDefault}</> : null}.</>,
    held: (
      <>
        This {kind} snapshot is held for review and was not published: {snapshot.holdReasons.map((reason) => reason.message).join(' ')}
        {backToDefault ? <> — {backToDefault}</> : null}
      </>
    ),
  }[freshness.state];
  return (
    <section
      aria-label="Data freshness"
      data-testid="freshness-banner"
      data-freshness={freshness.state}
      data-kind={snapshot.kind}
      className="flex flex-col gap-2 rounded-card border border-border bg-surface p-4 sm:flex-row sm:items-center sm:justify-between"
    >
      <div className="flex flex-col gap-1">
        <p className="text-sm">
          {snapshot.publishedAt ? (
            <>
              Data as of <strong>{formatDateTime(snapshot.publishedAt)}</strong>,
            </>
          ) : (
            <>Not published,</>
          )}{' '}
          window{' '}
          <strong>
            {formatDay(snapshot.windowStart)} – {formatDay(snapshot.windowEnd)}
          </strong>
          , {KIND_LABELS[snapshot.kind].toLowerCase()}, snapshot <strong data-testid="snapshot-run">#{snapshot.id}</strong>
        </p>
        <p className="text-sm text-foreground-muted">{explanation}</p>
        {freshness.expected && (
          <p className={cn('text-sm font-semibold', freshness.expected.late && 'text-status-failed')} data-testid="delivery-expected" data-late={freshness.expected.late}>
            {freshness.expected.text}
          </p>
        )}
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
        {isOperator && (freshness.state === 'history' || freshness.state === 'held') && (
          <Link className="text-sm text-link underline" href={data.links.run}>
            Open its run
          </Link>
        )}
      </div>
    </section>
  );
}
