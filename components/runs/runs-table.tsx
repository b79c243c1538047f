'use client';
/** The /runs table: live (refetched on a live message, or polled while the stream is down), paginated by links. */
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
  const lastPage = Math.max(1, Math.ceil(data.total / data.pageSize));
  const first = data.total === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  const last = Math.min(data.page * data.pageSize, data.total);

  return (
    <div className="flex flex-col gap-3">
      {error && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Could not refresh the list: {error.message}. Showing the last known state.
        </p>
      )}
      <Table data-testid="runs-table">
        <TableCaption>
          {data.total === 0 ? 'No runs match these filters.' : `Runs ${first}–${last} of ${data.total}, newest first.`}
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
      <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
        <span className="text-foreground-muted">
          Page {data.page} of {lastPage}
        </span>
        <div className="flex gap-2">
          <PageLink query={query} page={data.page - 1} disabled={data.page <= 1} label="Newer" />
          <PageLink query={query} page={data.page + 1} disabled={data.page >= lastPage} label="Older" />
        </div>
      </nav>
    </div>
  );
}

function PageLink({ query, page, disabled, label }: { query: RunListQuery; page: number; disabled: boolean; label: string }) {
  if (disabled) {
    return (
      <span aria-disabled="true" className={buttonClassName('secondary', 'sm')}>
        {label}
      </span>
    );
  }
  return (
    <Link href={`/runs${runListSearch({ ...query, page })}`} className={buttonClassName('secondary', 'sm')}>
      {label}
    </Link>
  );
}
