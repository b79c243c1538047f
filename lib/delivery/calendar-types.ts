/** The delivery calendar's shapes and labels: plain data, safe to import from client components. */
export const CALENDAR_STATES = ['on_time', 'late', 'backfilled', 'held_for_review', 'running', 'failed', 'skipped', 'upcoming', 'not_tracked', 'missing'] as const;
export type CalendarState = (typeof CALENDAR_STATES)[number];

export const CALENDAR_STATE_LABELS: Record<CalendarState, string> = {
  on_time: 'On time',
  late: 'Late',
  backfilled: 'Backfilled',
  held_for_review: 'Held for review',
  running: 'Running',
  failed: 'Failed',
  skipped: 'Skipped',
  upcoming: 'Not due yet',
  not_tracked: 'Not tracked',
  missing: 'Missing',
};

export interface CalendarDay {
  /** The data day. */
  day: string;
  window: { start: string; end: string };
  state: CalendarState;
  /** Where a click goes: the day's snapshot on the dashboard, or its run. */
  snapshotId: number | null;
  taskId: string | null;
  publishedAt: string | null;
  /** Why a skipped day did not run (the scheduler's words); null for every other state. */
  reason: string | null;
}

export interface CalendarView {
  from: string;
  to: string;
  timeZone: string;
  deadline: string;
  days: CalendarDay[];
}
