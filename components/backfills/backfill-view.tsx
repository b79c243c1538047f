'use client';
/**
 * The backfill page's live part: overall progress (done / failed / running / waiting, ETA from the step-duration
 * history) and one row per day linking to its run. Refetched whenever one of the app's live messages arrives
 * (components/live), polled while the stream is down.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { StatusBadge } from '@/components/ui/status-badge';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { BackfillDayView, BackfillView } from '@/lib/backfills/read';
import { formatWindow } from '@/lib/console/format';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import { backfillQueries } from '@/lib/query-keys';

const STATUS_LABELS: Record<BackfillView['status'], string> = { active: 'In progress', finished: 'Finished', cancelled: 'Cancelled' };

function DayState({ day }: { day: BackfillDayView }) {
  if (day.state === 'skipped') return <Badge tone="outline">Skipped: already published</Badge>;
  if (day.state === 'waiting') return <Badge tone="outline">{day.retryQueued ? 'Waiting to retry' : 'Waiting'}</Badge>;
  return <StatusBadge state={day.state} />;
}

export function BackfillLiveView({ initialData }: { initialData: BackfillView }) {
  const refetchInterval = useLiveRefetchInterval();
  const { data, error } = useQuery({ ...backfillQueries.detail(initialData.id), initialData, refetchInterval });
  const { counts } = data;
  const settled = counts.completed + counts.failed + counts.cancelled + counts.skipped;
  return (
    <div className="flex flex-col gap-6">
      {error && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Could not refresh: {error.message}. Showing the last known state.
        </p>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Progress</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <Progress value={settled} max={counts.total} label="Days settled" valueText={`${settled} of ${counts.total} days`} />
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3 lg:grid-cols-6" data-testid="backfill-counts">
            {(
              [
                ['Done', counts.completed, 'completed'],
                ['Failed', counts.failed, 'failed'],
                ['Running', counts.running, 'running'],
                ['Waiting', counts.waiting, 'waiting'],
                ['Skipped', counts.skipped, 'skipped'],
                ['Cancelled', counts.cancelled, 'cancelled'],
              ] as const
            ).map(([label, value, key]) => (
              <div key={key} className="flex flex-col rounded-control border border-border px-3 py-2">
                <dt className="text-xs text-foreground-muted">{label}</dt>
                <dd className="text-lg font-semibold tabular-nums" data-testid={`count-${key}`}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          <p className="text-sm" data-testid="backfill-status" aria-live="polite">
            <span className="font-semibold">{STATUS_LABELS[data.status]}</span>
            {data.eta && (
              <>
                {' '}
                · expected to finish in about {formatDuration(data.eta.remainingMs)} ({formatTimestamp(data.eta.at)}; from the step durations of the last{' '}
                {data.eta.historyRuns} completed runs)
              </>
            )}
            {data.status === 'active' && !data.eta && ' · no finish estimate yet: no completed run to learn step durations from'}
            {data.finishedAt && <> · ended {formatTimestamp(data.finishedAt)}</>}
          </p>
        </CardContent>
      </Card>
      <Table data-testid="backfill-days" label="Days of this backfill">
        <TableCaption>One run per day, oldest first; at most {data.maxParallel} at once.</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Day</TableHead>
            <TableHead>State</TableHead>
            <TableHead>Window</TableHead>
            <TableHead className="w-40">Steps</TableHead>
            <TableHead>Started</TableHead>
            <TableHead>Run</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {data.days.map((day) => (
            <TableRow key={day.day} data-testid="backfill-day" data-day={day.day} data-state={day.state}>
              <TableCell className="font-medium tabular-nums">{day.day}</TableCell>
              <TableCell>
                <DayState day={day} />
                {day.outcome === 'held_for_review' && <Badge className="ml-1">Held for review</Badge>}
              </TableCell>
              <TableCell className="tabular-nums">{formatWindow(day.window)}</TableCell>
              <TableCell>
                {day.taskId ? <Progress value={day.stepsDone} max={day.stepsTotal} label={`Steps of ${day.day}`} valueText={`${day.stepsDone}/${day.stepsTotal}`} /> : '—'}
              </TableCell>
              <TableCell className="whitespace-nowrap">{formatTimestamp(day.startedAt)}</TableCell>
              <TableCell>
                {day.taskId ? (
                  <Link href={`/runs/${day.taskId}`} className="font-medium underline underline-offset-4">
                    Open run<span className="sr-only"> for {day.day}</span>
                  </Link>
                ) : day.skippedSnapshotId ? (
                  <Link href={`/?snapshot=${day.skippedSnapshotId}`} className="underline underline-offset-4">
                    Snapshot #{day.skippedSnapshotId}
                  </Link>
                ) : (
                  '—'
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
