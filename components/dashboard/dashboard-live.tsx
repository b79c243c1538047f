'use client';
/**
 * Keeps an open dashboard current without a reload. Live messages (or, without them, polling) refetch the pulse;
 * when it differs from what the page shows, the page's server data is fetched again (router.refresh keeps the
 * scroll position and the URL). Someone looking at an earlier snapshot on purpose is not moved: they get a
 * "New data available" note with a link instead.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import type { DashboardPulse } from '@/lib/dashboard/read-model';
import { dashboardQueries } from '@/lib/query-keys';

export function DashboardLive({ shown, followsCurrent }: { shown: DashboardPulse; followsCurrent: boolean }) {
  const router = useRouter();
  const refetchInterval = useLiveRefetchInterval();
  const { data: pulse } = useQuery({ ...dashboardQueries.pulse(), initialData: shown, staleTime: 0, refetchInterval });
  const newerSnapshot = pulse.currentSnapshotId !== null && pulse.currentSnapshotId !== shown.currentSnapshotId;
  const stateChanged = pulse.state !== shown.state;
  // A picked snapshot's banner describes that snapshot, not the default view's state: only a newer default counts.
  const outOfDate = followsCurrent && (newerSnapshot || stateChanged);
  // One refresh per difference seen: the next render brings new props, or the same ones if the refresh raced a publish.
  const refreshedFor = useRef<string | null>(null);

  useEffect(() => {
    const key = `${pulse.currentSnapshotId}:${pulse.state}`;
    if (!outOfDate || refreshedFor.current === key) return;
    refreshedFor.current = key;
    router.refresh();
  }, [outOfDate, pulse, router]);

  if (followsCurrent || !newerSnapshot) return null;
  return (
    <p role="status" data-testid="new-data-banner" className="rounded-card border border-status-running bg-status-running-tint p-3 text-sm text-status-running">
      New data available —{' '}
      <Link href="/" className="font-semibold underline underline-offset-4">
        show
      </Link>
    </p>
  );
}
