'use client';
/** The Timeline tab: a Gantt of every attempt on one time axis; hatched gaps are the retry back-off between attempts. */
import { cn } from '@/components/ui/cn';
import { formatDuration, formatTimestamp } from '@/lib/console/format';
import { buildTimeline, placeOnAxis } from '@/lib/console/timeline';
import type { StepView } from '@/lib/console/views';

const barColour = (outcome: string | null) =>
  outcome === null ? 'bg-status-running' : outcome === 'completed' ? 'bg-status-completed' : outcome === 'cancelled' ? 'bg-status-cancelled' : 'bg-status-failed';

export function RunTimeline({ steps, now }: { steps: StepView[]; now: number }) {
  const timeline = buildTimeline(steps, now);
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
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm border border-status-retrying bg-[repeating-linear-gradient(45deg,transparent_0_3px,var(--color-status-retrying)_3px_4px)]" /> back-off</span>
      </figcaption>
      <ul className="flex flex-col gap-1.5">
        {timeline.rows.map((row) => (
          <li key={row.step} className="grid grid-cols-[12rem_1fr] items-center gap-3">
            <span className="truncate font-mono text-xs" title={row.step}>
              {row.step}
            </span>
            <div className="relative h-6 rounded-control bg-surface-muted" role="list" aria-label={`Attempts of ${row.step}`}>
              {row.gaps.map((gap) => {
                const place = placeOnAxis(timeline, gap.start, gap.end);
                return (
                  <span
                    key={`gap-${gap.start}`}
                    aria-hidden="true"
                    data-testid="timeline-gap"
                    className="absolute inset-y-1.5 border-y border-status-retrying bg-[repeating-linear-gradient(45deg,transparent_0_3px,var(--color-status-retrying)_3px_4px)] opacity-70"
                    style={{ left: `${place.left}%`, width: `${place.width}%` }}
                    title={`${gap.kind === 'backoff' ? 'Back-off' : 'Waiting for the scheduled retry'}: ${formatDuration(gap.end - gap.start)}`}
                  />
                );
              })}
              {row.bars.map((bar) => {
                const place = placeOnAxis(timeline, bar.start, bar.end);
                const text = `Attempt ${bar.attempt}: ${bar.outcome ?? 'running'}, ${formatDuration(bar.end - bar.start)}`;
                return (
                  <span
                    key={bar.attempt}
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
