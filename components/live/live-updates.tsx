'use client';
/**
 * One EventSource per tab on /api/live: each "task X changed" message invalidates the React Query caches that
 * show task X, the dashboard's pulse, backfills and the delivery calendar, since a run's change may publish a
 * snapshot, move a backfill on or change the freshness banner (coalesced per animation-frame-ish tick, so a burst of events costs one refetch). When the stream
 * drops, or the server says it is not listening, views poll every POLL_FALLBACK_MS until it is back; on the
 * way back everything is refetched once, because messages sent in between are lost.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { parseSseMessage } from '@/lib/live/sse';
import { queryKeys } from '@/lib/query-keys';

export type ConnectionState = 'connecting' | 'live' | 'polling';

export const POLL_FALLBACK_MS = 5_000;
/** Messages arriving within this window share one refetch. */
const COALESCE_MS = 40;

const LiveContext = createContext<ConnectionState>('polling');

export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ConnectionState>('connecting');
  const stateRef = useRef<ConnectionState>('connecting');

  useEffect(() => {
    const changed = new Set<string>();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const update = (next: ConnectionState) => {
      stateRef.current = next;
      setState(next);
    };
    const flush = () => {
      flushTimer = undefined;
      for (const taskId of changed) void queryClient.invalidateQueries({ queryKey: queryKeys.runs.task(taskId) });
      changed.clear();
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.lists() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.backfills.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.calendar.all });
    };
    const refetchEverything = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.backfills.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.calendar.all });
    };
    const source = new EventSource('/api/live');
    source.addEventListener('task', (event) => {
      const message = parseSseMessage('task', event.data);
      if (message?.type !== 'task') return;
      changed.add(message.taskId);
      flushTimer ??= setTimeout(flush, COALESCE_MS);
    });
    source.addEventListener('resync', refetchEverything);
    source.addEventListener('status', (event) => {
      const message = parseSseMessage('status', event.data);
      if (message?.type !== 'status') return;
      if (message.listening && stateRef.current !== 'live') {
        // Whatever changed while we were not listening was not announced: catch up once.
        refetchEverything();
      }
      update(message.listening ? 'live' : 'polling');
    });
    // EventSource reconnects by itself (after the server's `retry:`); until then, views poll.
    source.onerror = () => update('polling');
    return () => {
      source.close();
      if (flushTimer) clearTimeout(flushTimer);
    };
  }, [queryClient]);

  return <LiveContext value={state}>{children}</LiveContext>;
}

export function useConnectionState(): ConnectionState {
  return useContext(LiveContext);
}

/** refetchInterval for live queries: none while the stream delivers, POLL_FALLBACK_MS while it does not. */
export function useLiveRefetchInterval(): number | false {
  return useConnectionState() === 'live' ? false : POLL_FALLBACK_MS;
}
