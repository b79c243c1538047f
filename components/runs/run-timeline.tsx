'use client';
/**
 * The Timeline tab: a Gantt of every attempt on one time axis, with what each step waited for between them
 * drawn in its own pattern — retry back-off, an operator, or the steps it depends on.
 */
import { cn } from '@/components/ui/cn';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import { buildTimeline, placeOnAxis, type WaitKind } from '@/lib/console/timeline';
import type { OperationView, StepView } from '@/lib/console/views';

const barColour = (outcome: string | null) =>
  outcome === null ? 'bg-status-running' : outcome === 'completed' ? 'bg-status-completed' : outcome === 'cancelled' ? 'bg-status-cancelled' : 'bg-status-failed';

const WAITS: Record<WaitKind, { label: string; className: string }> = {
  backoff: {
    label: 'Back-off before the next attempt',
    className: 'border-y border-status-retrying bg-[repeating-linear-gradient(45deg,transparent_0_3px,var(--color-status-retrying)_3px_4px)]',
  },
  scheduled: {
    label: 'Back-off: waiting for the scheduled retry',
    className: 'border-y border-status-retrying bg-[repeating-linear-gradient(45deg,transparent_0_3px,var(--color-status-retrying)_3px_4px)]',
  },
  operator: {
    label: 'Waiting for an operator',
    className: 'border-y-2 border-dashed border-status-failed bg-status-failed-tint',
  },
  dependency: {
    label: 'Waiting for dependencies',
    className: 'border-y border-dotted border-status-pending',
  },
};

const LEGEND: { kind: WaitKind; text: string }[] = [
  { kind: 'backoff', text: 'back-off' },
  { kind: 'operator', text: 'waiting for an operator' },
  { kind: 'dependency', text: 'waiting for dependencies' },
];

export function RunTimeline({ steps, operations, now }: { steps: StepView[]; operations: OperationView[]; now: number }) {
  const timeline = buildTimeline(steps, now, operations);
  const span = timeline.end - timeline.start;
  return (
    <figure className="flex flex-col gap-3" data-testid="run-timeline">
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-foreground-muted">
        <span>
          {formatTimestamp(new Date(timeline.start).toISOString())} → +{formatDuration(span)}
        </span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-completed" /> completed attempt</span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-failed" /> failed attempt</span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-running" /> running</span>
        {LEGEND.map(({ kind, text }) => (
          <span key={kind} className="flex items-center gap-1">
            <span aria-hidden="true" className={cn('inline-block h-2 w-4 rounded-sm', WAITS[kind].className)} /> {text}
          </span>
        ))}
      </figcaption>
      <ul className="flex flex-col gap-1.5">
        {timeline.rows.map((row) => (
          <li key={row.step} className="grid grid-cols-[7.5rem_1fr] items-center gap-3 sm:grid-cols-[12rem_1fr]">
            <span className="truncate font-mono text-xs" title={row.step}>
              {row.step}
            </span>
            <div className="relative h-6 rounded-control bg-surface-muted" role="list" aria-label={`Attempts and waits of ${row.step}`}>
              {row.gaps.map((gap) => {
                const place = placeOnAxis(timeline, gap.start, gap.end);
                const text = `${WAITS[gap.kind].label}: ${formatDuration(gap.end - gap.start)}`;
                return (
                  <span
                    key={`${gap.kind}-${gap.start}`}
                    role="listitem"
                    aria-label={text}
                    title={text}
                    data-testid="timeline-gap"
                    data-kind={gap.kind}
                    className={cn('absolute inset-y-1.5 opacity-80', WAITS[gap.kind].className)}
                    style={{ left: `${place.left}%`, width: `${place.width}%` }}
                  />
                );
              })}
              {row.bars.map((bar) => {
                const place = placeOnAxis(timeline, bar.start, bar.end);
                const text = `Attempt ${bar.attempt}: ${bar.outcome ?? 'running'}, ${formatDuration(bar.end - bar.start)}`;
                return (
                  <span
                    key={`${bar.attempt}-${bar.start}`}
                    role="listitem"
                    aria-label={text}
                    title={text}
                    data-testid="timeline-bar"
                    className={cn('absolute inset-y-0.5 rounded-sm', barColour(bar.outcome))}
                    style={{ left: `${place.left}%`, width: `${place.width}%` }}
                  />
                );
              })}
            </div>
          </li>
        ))}
      </ul>
    </figure>
  );
}
