'use client';
/**
 * The Timeline tab: a Gantt of every attempt on one time axis, with what each step waited for between them
 * drawn in its own pattern — retry back-off, an operator, or the steps it depends on. A mapped step is one row whose
 * bar spans its children, with their counts; "Show children" adds a row per child, 50 at a time.
 */
import { useState, type ReactNode } from 'react';
import { cn } from '@/components/ui/cn';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import { describeCounts, type ChildCounts } from '@/lib/console/mapped-steps';
import { buildTimeline, groupTimeline, placeOnAxis, type Timeline, type TimelineGap, type TimelineRow, type WaitKind } from '@/lib/console/timeline';
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

/** Child rows added per "Show more": a 500-item map stays a page long until asked for more. */
const CHILD_ROWS_STEP = 50;

const spanColour = (counts: ChildCounts) =>
  counts.failed > 0 ? 'bg-status-failed' : counts.running > 0 ? 'bg-status-running' : counts.done === counts.total ? 'bg-status-completed' : 'bg-status-pending';

function placeStyle(timeline: Timeline, start: number, end: number) {
  const place = placeOnAxis(timeline, start, end);
  return { left: `${place.left}%`, width: `${place.width}%` };
}

function Gap({ timeline, gap }: { timeline: Timeline; gap: TimelineGap }) {
  const text = `${WAITS[gap.kind].label}: ${formatDuration(gap.end - gap.start)}`;
  return (
    <span
      role="listitem"
      aria-label={text}
      title={text}
      data-testid="timeline-gap"
      data-kind={gap.kind}
      className={cn('absolute inset-y-1.5 opacity-80', WAITS[gap.kind].className)}
      style={placeStyle(timeline, gap.start, gap.end)}
    />
  );
}

function Track({ timeline, row, label, children }: { timeline: Timeline; row: TimelineRow; label: string; children?: ReactNode }) {
  return (
    <div className="relative h-6 rounded-control bg-surface-muted" role="list" aria-label={label}>
      {row.gaps.map((gap) => (
        <Gap key={`${gap.kind}-${gap.start}`} timeline={timeline} gap={gap} />
      ))}
      {children}
      {row.bars.map((bar) => {
        const text = `Attempt ${bar.attempt}: ${bar.outcome ?? 'running'}, ${formatDuration(bar.end - bar.start)}`;
        return (
          <span
            key={`${bar.attempt}-${bar.start}`}
            role="listitem"
            aria-label={text}
            title={text}
            data-testid="timeline-bar"
            className={cn('absolute inset-y-0.5 rounded-sm', barColour(bar.outcome))}
            style={placeStyle(timeline, bar.start, bar.end)}
          />
        );
      })}
    </div>
  );
}

const ROW = 'grid grid-cols-[7.5rem_1fr] items-center gap-3 sm:grid-cols-[12rem_1fr]';

export function RunTimeline({ steps, operations, now }: { steps: StepView[]; operations: OperationView[]; now: number }) {
  const timeline = buildTimeline(steps, now, operations);
  const entries = groupTimeline(timeline, steps);
  const span = timeline.end - timeline.start;
  /** Mapped step → how many of its child rows are shown; absent = folded. */
  const [shown, setShown] = useState<ReadonlyMap<string, number>>(new Map());
  const setRows = (name: string, rows: number | null) =>
    setShown((current) => {
      const next = new Map(current);
      if (rows === null) next.delete(name);
      else next.set(name, rows);
      return next;
    });
  return (
    <figure className="flex flex-col gap-3" data-testid="run-timeline">
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-foreground-muted">
        <span>
          {formatTimestamp(new Date(timeline.start).toISOString())} → +{formatDuration(span)}
        </span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-completed" /> completed attempt</span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-failed" /> failed attempt</span>
        <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-running" /> running</span>
        {entries.some((entry) => entry.kind === 'map') && (
          <span className="flex items-center gap-1"><span aria-hidden="true" className="inline-block h-2 w-4 rounded-sm bg-status-completed opacity-50" /> mapped step: its children, first to last</span>
        )}
        {LEGEND.map(({ kind, text }) => (
          <span key={kind} className="flex items-center gap-1">
            <span aria-hidden="true" className={cn('inline-block h-2 w-4 rounded-sm', WAITS[kind].className)} /> {text}
          </span>
        ))}
      </figcaption>
      <ul className="flex flex-col gap-1.5">
        {entries.map((entry) => {
          if (entry.kind === 'step') {
            return (
              <li key={entry.row.step} className={ROW}>
                <span className="truncate font-mono text-xs" title={entry.row.step}>
                  {entry.row.step}
                </span>
                <Track timeline={timeline} row={entry.row} label={`Attempts and waits of ${entry.row.step}`} />
              </li>
            );
          }
          const name = entry.row.step;
          const rows = shown.get(name);
          const counts = describeCounts(entry.counts);
          const took = entry.span ? `, ${formatDuration(entry.span.end - entry.span.start)}` : '';
          const spanText = `${name}: ${entry.counts.total} children, ${counts}${took}`;
          const childListId = `timeline-children-${name}`;
          return (
            <li key={name} className="flex flex-col gap-1.5" data-testid="timeline-map" data-step={name}>
              <div className={ROW}>
                <span className="flex min-w-0 flex-col">
                  {entry.counts.total > 0 ? (
                    <button
                      type="button"
                      aria-expanded={rows !== undefined}
                      aria-controls={rows !== undefined ? childListId : undefined}
                      aria-label={`${name}, mapped step: ${counts}. ${rows !== undefined ? 'Hide' : 'Show'} children`}
                      onClick={() => setRows(name, rows === undefined ? CHILD_ROWS_STEP : null)}
                      className="flex min-w-0 items-center gap-1 rounded-control text-left font-mono text-xs hover:underline focus-visible:outline-2 focus-visible:outline-focus"
                    >
                      <span aria-hidden="true" className="shrink-0">{rows !== undefined ? '▾' : '▸'}</span>
                      <span className="truncate" title={name}>{name}</span>
                    </button>
                  ) : (
                    <span className="truncate font-mono text-xs" title={name}>{name}</span>
                  )}
                  <span className="truncate text-xs tabular-nums text-foreground-muted" title={counts}>
                    {entry.counts.total === 0 ? 'no children yet' : `${entry.counts.done}/${entry.counts.total} done${entry.counts.failed > 0 ? `, ${entry.counts.failed} failed` : ''}`}
                  </span>
                </span>
                <Track timeline={timeline} row={entry.row} label={`Children and waits of ${name}`}>
                  {entry.lead && <Gap timeline={timeline} gap={entry.lead} />}
                  {entry.span && (
                    <span
                      role="listitem"
                      aria-label={spanText}
                      title={spanText}
                      data-testid="timeline-map-span"
                      className={cn('absolute inset-y-0.5 rounded-sm opacity-50 ring-1 ring-inset ring-foreground/30', spanColour(entry.counts))}
                      style={placeStyle(timeline, entry.span.start, entry.span.end)}
                    />
                  )}
                </Track>
              </div>
              {rows !== undefined && (
                <ul id={childListId} aria-label={`Children of ${name}`} className="flex flex-col gap-1 border-l-2 border-border pl-2">
                  {entry.children.slice(0, rows).map((row) => (
                    <li key={row.step} className={ROW}>
                      <span className="truncate font-mono text-xs text-foreground-muted" title={row.step}>
                        {row.step}
                      </span>
                      <Track timeline={timeline} row={row} label={`Attempts and waits of ${row.step}`} />
                    </li>
                  ))}
                  {entry.children.length > rows && (
                    <li className="flex flex-wrap items-center gap-3 text-xs text-foreground-muted">
                      <span>
                        {rows} of {entry.children.length} children shown
                      </span>
                      <button
                        type="button"
                        onClick={() => setRows(name, rows + CHILD_ROWS_STEP)}
                        className="rounded-control font-semibold text-link underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-focus"
                      >
                        Show {Math.min(CHILD_ROWS_STEP, entry.children.length - rows)} more
                      </button>
                    </li>
                  )}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
