'use client';
/**
 * The live run page: header with the run's state and actions, then Graph / Timeline / Events tabs, each mapped
 * step's searchable children, and the step drawer (a map child opens in it like any step). Data comes from React
 * Query (server-rendered first, refetched when a live message names this run).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useMemo, useState, type KeyboardEvent } from 'react';
import { ConnectionIndicator } from '@/components/live/connection-indicator';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import { useNow } from '@/components/live/use-now';
import { RunDag } from '@/components/dag/run-dag';
import { cn } from '@/components/ui/cn';
import { groupMappedSteps } from '@/lib/console/mapped-steps';
import type { EventView, RunDetailView } from '@/lib/console/views';
import { queryKeys, runQueries } from '@/lib/query-keys';
import { MapChildren, mapChildrenId, mapChildrenSearchId } from './map-children';
import { RunEvents } from './run-events';
import { RunHeader } from './run-header';
import type { RunOperations } from './run-operations';
import { RunTimeline } from './run-timeline';
import { StepDrawer } from './step-drawer';

export interface RunViewProps {
  initialRun: RunDetailView;
  initialEvents: EventView[];
  renderedAt: number;
  /** Present for operators only. */
  operations?: RunOperations;
}

const TABS = [
  { id: 'graph', label: 'Graph' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'events', label: 'Events' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function RunView({ initialRun, initialEvents, renderedAt, operations }: RunViewProps) {
  const refetchInterval = useLiveRefetchInterval();
  // staleTime 0: the server-rendered state is refetched once on mount. Live messages that arrive between the
  // server's render and this mount (a client navigation from the start form) find no query to invalidate, and a run
  // can finish in that window; with the app's 30 s staleTime the page then showed a finished run as running for good.
  const runQuery = useQuery({ ...runQueries.detail(initialRun.id), initialData: initialRun, staleTime: 0, refetchInterval });
  const eventsQuery = useQuery({ ...runQueries.events(initialRun.id), initialData: initialEvents, staleTime: 0, refetchInterval });
  const run = runQuery.data;
  const events = eventsQuery.data;
  const now = useNow(renderedAt);
  const [tab, setTab] = useState<TabId>('graph');
  const [openStep, setOpenStep] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const queryClient = useQueryClient();

  const afterOperation = useCallback(
    (message: string) => {
      setAnnouncement(message);
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.task(initialRun.id) });
    },
    [queryClient, initialRun.id],
  );

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.findIndex((candidate) => candidate.id === tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length];
    if (!next) return;
    setTab(next.id);
    document.getElementById(`run-tab-${next.id}`)?.focus();
  };

  const grouped = useMemo(() => groupMappedSteps(run.steps), [run.steps]);
  const selected = run.steps.find((step) => step.name === openStep);
  const selectedGroup = selected ? grouped.maps.get(selected.map ? selected.name : (selected.mapChild?.parent ?? '')) : undefined;
  const showChildren = useCallback((name: string) => {
    document.getElementById(mapChildrenId(name))?.scrollIntoView({ block: 'start' });
    document.getElementById(mapChildrenSearchId(name))?.focus({ preventScroll: true });
  }, []);
  const refreshError = runQuery.error ?? eventsQuery.error;

  return (
    <div className="flex flex-col gap-5">
      <nav aria-label="Breadcrumb" className="flex flex-wrap items-center gap-3 text-sm">
        <Link href="/runs" className="text-link underline-offset-4 hover:underline">
          ← All runs
        </Link>
        <ConnectionIndicator className="ml-auto" />
      </nav>
      <RunHeader run={run} now={now} operations={operations} onOperationDone={afterOperation} />
      <p aria-live="polite" role="status" className="min-h-5 text-sm text-status-completed">
        {announcement}
      </p>
      {refreshError && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Could not refresh this run: {refreshError.message}. Showing the last known state.
        </p>
      )}
      <div>
        <div role="tablist" aria-label="Run views" className="flex gap-1 border-b border-border">
          {TABS.map((candidate) => (
            <button
              key={candidate.id}
              id={`run-tab-${candidate.id}`}
              type="button"
              role="tab"
              aria-selected={tab === candidate.id}
              aria-controls={`run-panel-${candidate.id}`}
              tabIndex={tab === candidate.id ? 0 : -1}
              onClick={() => setTab(candidate.id)}
              onKeyDown={onTabKey}
              className={cn(
                '-mb-px rounded-t-control border-b-2 px-4 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-focus',
                tab === candidate.id ? 'border-accent text-foreground' : 'border-transparent text-foreground-muted hover:text-foreground',
              )}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        {TABS.map((candidate) => (
          <div
            key={candidate.id}
            id={`run-panel-${candidate.id}`}
            role="tabpanel"
            aria-labelledby={`run-tab-${candidate.id}`}
            hidden={tab !== candidate.id}
            className="pt-4"
          >
            {candidate.id === 'graph' && tab === 'graph' && <RunDag steps={run.steps} now={now} onOpenStep={setOpenStep} onShowChildren={showChildren} />}
            {candidate.id === 'timeline' && tab === 'timeline' && <RunTimeline steps={run.steps} operations={run.operations} now={now} />}
            {candidate.id === 'events' && tab === 'events' && <RunEvents events={events} />}
          </div>
        ))}
      </div>
      {[...grouped.maps.values()].map((group) => (
        <MapChildren key={group.parent.name} group={group} now={now} onOpenStep={setOpenStep} />
      ))}
      <StepDrawer
        taskId={run.id}
        taskStatus={run.status}
        step={selected}
        mapGroup={selectedGroup}
        events={events}
        now={now}
        operations={operations}
        onOperationDone={afterOperation}
        onOpenStep={setOpenStep}
        onShowChildren={showChildren}
        onClose={() => setOpenStep(null)}
      />
    </div>
  );
}
