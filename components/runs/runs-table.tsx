'use client';
/** The /runs table: live (refetched on a live message, or polled while the stream is down), paged by cursor links. */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import { useNow } from '@/components/live/use-now';
import { Progress } from '@/components/ui/progress';
import { StatusBadge } from '@/components/ui/status-badge';
import { KIND_LABELS } from '@/lib/delivery/definition';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { buttonClassName } from '@/components/ui/button';
import { formatWindow, spanMs } from '@/lib/console/format';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import type { RunListQuery } from '@/lib/console/run-filters';
import { runListSearch } from '@/lib/console/run-list-search';
import type { RunListView } from '@/lib/console/views';
import { runQueries } from '@/lib/query-keys';

export function RunsTable({ query, initialData, renderedAt }: { query: RunListQuery; initialData: RunListView; renderedAt: number }) {
  const refetchInterval = useLiveRefetchInterval();
  const { data, error } = useQuery({ ...runQueries.list(query), initialData, refetchInterval });
  const now = useNow(renderedAt);
  const paged = query.after !== undefined || query.before !== undefined;

  return (
    <div className="flex flex-col gap-3">
      {error && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Could not refresh the list: {error.message}. Showing the last known state.
        </p>
      )}
      <Table data-testid="runs-table">
        <TableCaption>
          {listCaption(data, paged)}
        </TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Status</TableHead>
            <TableHead>Run</TableHead>
            <TableHead>Window</TableHead>
            <TableHead>Kind</TableHead>
            <TableHead className="w-48">Progress</TableHead>
            <TableHead>Started</TableHead>
            <TableHead>Duration</TableHead>
            <TableHead>Initiator</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {data.runs.map((run) => {
            const duration = spanMs(run.startedAt, run.completedAt, now);
            return (
              <TableRow key={run.id} data-run-id={run.id} data-status={run.status}>
                <TableCell>
                  <StatusBadge state={run.status} />
                </TableCell>
                <TableCell>
                  <Link href={`/runs/${run.id}`} className="font-medium text-link underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-focus">
                    {run.pipeline}
                  </Link>
                  <span className="block font-mono text-xs text-foreground-muted">
                    {run.id.slice(0, 8)} · <span data-testid="run-version">v{run.version}</span>
                  </span>
                </TableCell>
                <TableCell className="whitespace-nowrap tabular-nums">{formatWindow(run.window)}</TableCell>
                <TableCell className="whitespace-nowrap text-sm" data-testid="run-kind" data-kind={run.delivery?.kind} data-outcome={run.delivery?.outcome ?? undefined}>
                  {run.delivery ? KIND_LABELS[run.delivery.kind] : '—'}
                  {run.delivery?.outcome === 'held_for_review' && <span className="block text-xs font-semibold text-status-retrying">Held for review</span>}
                  {run.delivery?.outcome === 'discarded' && <span className="block text-xs text-foreground-muted">Discarded</span>}
                </TableCell>
                <TableCell>
                  <Progress value={run.stepsDone} max={run.stepsTotal} label={`Steps done of run ${run.id.slice(0, 8)}`} valueText={`${run.stepsDone}/${run.stepsTotal}`} />
                </TableCell>
                <TableCell className="whitespace-nowrap text-xs tabular-nums">{formatTimestamp(run.startedAt ?? run.createdAt)}</TableCell>
                <TableCell className="whitespace-nowrap tabular-nums">{duration === null ? '—' : formatDuration(duration)}</TableCell>
                <TableCell className="max-w-48 truncate" title={run.initiator}>
                  {run.initiator}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <span className="text-foreground-muted" data-testid="runs-total" data-exact={data.totalExact}>
          {data.totalExact ? `${formatCount(data.total)} ${data.total === 1 ? 'run' : 'runs'}` : `About ${formatCount(data.total)} runs`}
        </span>
        <div className="flex flex-wrap gap-2">
          {paged && <PageLink href={`/runs${runListSearch({ ...query, after: undefined, before: undefined })}`} label="Newest" />}
          <PageLink href={data.newer === null ? null : `/runs${runListSearch({ ...query, after: undefined, before: data.newer })}`} label="Newer" />
          <PageLink href={data.older === null ? null : `/runs${runListSearch({ ...query, before: undefined, after: data.older })}`} label="Older" />
        </div>
      </nav>
    </div>
  );
}

const formatCount = (count: number) => count.toLocaleString('en-US');

function listCaption(data: RunListView, paged: boolean): string {
  if (data.runs.length > 0) return `${data.runs.length} ${data.runs.length === 1 ? 'run' : 'runs'} shown, newest first.`;
  // A cursor page is empty only when the runs around it were purged since the link was made.
  return paged ? 'No runs on this page any more: go back to the newest runs.' : 'No runs match these filters.';
}

function PageLink({ href, label }: { href: string | null; label: string }) {
  if (href === null) {
    return (
      <span aria-disabled="true" className={buttonClassName('secondary', 'sm')}>
        {label}
      </span>
    );
  }
  return (
    <Link href={href} className={buttonClassName('secondary', 'sm')}>
      {label}
    </Link>
  );
}
