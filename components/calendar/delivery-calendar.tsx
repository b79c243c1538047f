'use client';
/**
 * The delivery calendar: a month grid of data days, each showing what became of its delivery (on time, late,
 * backfilled, held for review, running, failed, missing, not tracked) by colour, symbol and text. Every day is
 * reachable by keyboard and has a tooltip; a day with a snapshot opens it on the dashboard, one with only a run
 * opens the run. Live: refetched with the app's live updates (components/live).
 *
 * One tooltip serves the whole month, shown under the day the pointer or focus is on (Escape hides it): a tooltip
 * component per day cost 31 tooltip roots to render on the server and to hydrate on every dashboard load, for one
 * hint visible at a time.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FocusEvent, type KeyboardEvent, type PointerEvent } from 'react';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { CALENDAR_STATE_LABELS, CALENDAR_STATES, type CalendarDay, type CalendarState, type CalendarView } from '@/lib/delivery/calendar-types';
import { calendarQueries } from '@/lib/query-keys';
import { cachedDateFormat } from '@/lib/time/format';

const APPEARANCE: Record<CalendarState, { symbol: string; className: string }> = {
  on_time: { symbol: '✓', className: 'bg-status-completed-tint text-status-completed' },
  late: { symbol: '⏱', className: 'bg-status-retrying-tint text-status-retrying' },
  backfilled: { symbol: '↺', className: 'bg-status-running-tint text-status-running' },
  held_for_review: { symbol: '⏸', className: 'bg-status-retrying-tint text-status-retrying ring-1 ring-status-retrying ring-inset' },
  running: { symbol: '…', className: 'bg-status-running-tint text-status-running ring-1 ring-status-running ring-inset' },
  failed: { symbol: '✕', className: 'bg-status-failed-tint text-status-failed' },
  skipped: { symbol: '»', className: 'bg-surface-muted text-foreground-muted ring-1 ring-foreground-muted ring-inset' },
  upcoming: { symbol: '·', className: 'bg-surface text-foreground-muted' },
  not_tracked: { symbol: '–', className: 'bg-surface-muted text-foreground-muted' },
  missing: { symbol: '?', className: 'bg-surface text-status-failed ring-1 ring-status-failed ring-inset' },
};

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function monthRange(month: string): { from: string; to: string } {
  const start = new Date(`${month}-01T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
  return { from: `${month}-01`, to: end.toISOString().slice(0, 10) };
}

function shiftMonth(month: string, by: number): string {
  const start = new Date(`${month}-01T00:00:00Z`);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + by, 1)).toISOString().slice(0, 7);
}

// Cached formatters: a toLocaleDateString with options builds one per call (~90 µs), 31 times per render and hydration.
const monthName = (month: string) => cachedDateFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
const dayName = (day: string) =>
  cachedDateFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

function describe(day: CalendarDay): string {
  const label = CALENDAR_STATE_LABELS[day.state];
  const published = day.publishedAt ? `, published ${day.publishedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  const reason = day.reason ? ` (${day.reason})` : '';
  return `${dayName(day.day)}: ${label}${published}${reason}`;
}

/** Where the hint sits under its day: flush with the grid's edge in the outer columns, so it never leaves the page. */
const HINT_ALIGNMENT = ['left-0', 'left-0', 'left-1/2 -translate-x-1/2', 'left-1/2 -translate-x-1/2', 'left-1/2 -translate-x-1/2', 'right-0', 'right-0'];

function DayCell({ day, column, hinted }: { day: CalendarDay; column: number; hinted: boolean }) {
  const { symbol, className } = APPEARANCE[day.state];
  const href = day.snapshotId !== null ? `/?snapshot=${day.snapshotId}` : day.taskId ? `/runs/${day.taskId}` : null;
  const text = describe(day);
  const body = (
    <>
      <span className="text-xs font-semibold tabular-nums">{Number(day.day.slice(8))}</span>
      <span aria-hidden="true" className="text-sm leading-none">
        {symbol}
      </span>
      <span className="sr-only">{text}</span>
    </>
  );
  const cell = cn(
    'flex aspect-square min-h-10 flex-col items-center justify-center gap-0.5 rounded-control focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-focus',
    className,
  );
  return (
    <div className="relative" data-hint-day={day.day}>
      {href ? (
        <Link href={href} className={cn(cell, 'hover:opacity-80')} data-testid="calendar-day" data-day={day.day} data-state={day.state}>
          {body}
        </Link>
      ) : (
        <span tabIndex={0} className={cell} data-testid="calendar-day" data-day={day.day} data-state={day.state}>
          {body}
        </span>
      )}
      {hinted && (
        <span
          role="tooltip"
          className={cn(
            'pointer-events-none absolute top-full z-50 mt-1.5 w-max max-w-56 rounded-control bg-foreground px-2 py-1 text-xs text-background shadow-card',
            HINT_ALIGNMENT[column],
          )}
        >
          {text}
        </span>
      )}
    </div>
  );
}

/** The day whose cell holds the event's target, if any. */
const dayUnder = (target: EventTarget) => (target instanceof Element ? (target.closest<HTMLElement>('[data-hint-day]')?.dataset.hintDay ?? null) : null);

export function DeliveryCalendar({ initialData }: { initialData: CalendarView }) {
  const [month, setMonth] = useState(initialData.from.slice(0, 7));
  const range = monthRange(month);
  const refetchInterval = useLiveRefetchInterval();
  const isInitial = range.from === initialData.from && range.to === initialData.to;
  const { data, error, isPending } = useQuery({ ...calendarQueries.range(range.from, range.to), initialData: isInitial ? initialData : undefined, refetchInterval });
  const leading = (new Date(`${range.from}T00:00:00Z`).getUTCDay() + 6) % 7;
  const headingId = `calendar-${month}`;
  const [hinted, setHinted] = useState<string | null>(null);
  const hint = (event: PointerEvent | FocusEvent) => setHinted(dayUnder(event.target));
  const hideOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setHinted(null);
  };
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-3" data-testid="delivery-calendar">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={headingId} className="mr-auto text-lg font-semibold">
          Deliveries · <span aria-live="polite">{monthName(month)}</span>
        </h2>
        <Button type="button" variant="secondary" size="sm" onClick={() => setMonth(shiftMonth(month, -1))} aria-label="Previous month">
          ←
        </Button>
        <Button type="button" variant="secondary" size="sm" onClick={() => setMonth(shiftMonth(month, 1))} aria-label="Next month">
          →
        </Button>
      </div>
      <p className="text-xs text-foreground-muted">
        Each day is the data of that day, delivered the next morning by {initialData.deadline} ({initialData.timeZone}).
      </p>
      {error && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Could not load the calendar: {error.message}.
        </p>
      )}
      <div
        className="grid max-w-xl grid-cols-7 gap-1"
        aria-busy={isPending}
        onPointerOver={hint}
        onPointerLeave={() => setHinted(null)}
        onFocus={hint}
        onBlur={() => setHinted(null)}
        onKeyDown={hideOnEscape}
      >
        {WEEKDAYS.map((weekday) => (
          <span key={weekday} aria-hidden="true" className="text-center text-xs text-foreground-muted">
            {weekday}
          </span>
        ))}
        {Array.from({ length: leading }, (_, index) => (
          <span key={`blank-${index}`} aria-hidden="true" />
        ))}
        {data?.days.map((day, index) => (
          <DayCell key={day.day} day={day} column={(leading + index) % 7} hinted={hinted === day.day} />
        ))}
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Legend">
        {CALENDAR_STATES.map((state) => (
          <li key={state} className="flex items-center gap-1">
            <span aria-hidden="true" className={cn('inline-flex size-5 items-center justify-center rounded-control', APPEARANCE[state].className)}>
              {APPEARANCE[state].symbol}
            </span>
            {CALENDAR_STATE_LABELS[state]}
          </li>
        ))}
      </ul>
    </section>
  );
}
