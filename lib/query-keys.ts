/**
 * THE query-key factory of the app: every @tanstack/react-query key and its fetcher live here, so a live
 * "task X changed" message can invalidate exactly what shows task X, and nobody invents a key that nothing
 * invalidates. Keys are hierarchical: invalidating `runs.all` refreshes every run view.
 */
import { queryOptions } from '@tanstack/react-query';
import type { RunListQuery } from '@/lib/console/run-filters';
import { runListSearch } from '@/lib/console/run-list-search';
import type { AttemptLogView, EventView, RunDetailView, RunListView } from '@/lib/console/views';
import type { DashboardPulse } from '@/lib/dashboard/read-model';
import type { BackfillView } from '@/lib/backfills/read';
import type { CalendarView } from '@/lib/delivery/calendar-types';

export class FetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    const message = typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : response.statusText;
    throw new FetchError(`${message} (HTTP ${response.status})`, response.status);
  }
  return (await response.json()) as T;
}

export const queryKeys = {
  runs: {
    all: ['runs'] as const,
    lists: () => ['runs', 'list'] as const,
    list: (query: RunListQuery) => ['runs', 'list', query] as const,
    /** Everything about one run: its detail and its events. */
    task: (taskId: string) => ['runs', 'task', taskId] as const,
    detail: (taskId: string) => ['runs', 'task', taskId, 'detail'] as const,
    events: (taskId: string) => ['runs', 'task', taskId, 'events'] as const,
    /** Under the run's key: a live message about the run refetches the open drawer's log too. */
    stepLogs: (taskId: string, stepName: string) => ['runs', 'task', taskId, 'logs', stepName] as const,
  },
  /** Backfills and the calendar follow their runs: every run change refreshes them. */
  backfills: {
    all: ['backfills'] as const,
    detail: (backfillId: string) => ['backfills', backfillId] as const,
  },
  calendar: {
    all: ['calendar'] as const,
    range: (from: string, to: string) => ['calendar', from, to] as const,
  },
  dashboard: {
    all: ['dashboard'] as const,
    /** Whether the shown dashboard is still the current one; any run's change may alter it. */
    pulse: () => ['dashboard', 'pulse'] as const,
  },
} as const;

export const dashboardQueries = {
  pulse: () =>
    queryOptions({
      queryKey: queryKeys.dashboard.pulse(),
      queryFn: () => getJson<DashboardPulse>('/api/dashboard/pulse'),
    }),
};

export const runQueries = {
  list: (query: RunListQuery) =>
    queryOptions({
      queryKey: queryKeys.runs.list(query),
      queryFn: () => getJson<RunListView>(`/api/live/runs${runListSearch(query)}`),
    }),
  detail: (taskId: string) =>
    queryOptions({
      queryKey: queryKeys.runs.detail(taskId),
      queryFn: () => getJson<RunDetailView>(`/api/live/runs/${encodeURIComponent(taskId)}`),
    }),
  events: (taskId: string) =>
    queryOptions({
      queryKey: queryKeys.runs.events(taskId),
      queryFn: () => getJson<EventView[]>(`/api/live/runs/${encodeURIComponent(taskId)}/events`),
    }),
  stepLogs: (taskId: string, stepName: string) =>
    queryOptions({
      queryKey: queryKeys.runs.stepLogs(taskId, stepName),
      queryFn: () => getJson<AttemptLogView[]>(`/api/live/runs/${encodeURIComponent(taskId)}/steps/${encodeURIComponent(stepName)}/logs`),
    }),
};

export const backfillQueries = {
  detail: (backfillId: string) =>
    queryOptions({
      queryKey: queryKeys.backfills.detail(backfillId),
      queryFn: () => getJson<BackfillView>(`/api/backfills/${encodeURIComponent(backfillId)}`),
    }),
};

export const calendarQueries = {
  range: (from: string, to: string) =>
    queryOptions({
      queryKey: queryKeys.calendar.range(from, to),
      queryFn: () => getJson<CalendarView>(`/api/calendar?from=${from}&to=${to}`),
    }),
};
