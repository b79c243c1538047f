/** `/runs/backfills/[id]` (viewer): a backfill's progress, ETA and days, live; operators cancel or retry it here. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getDb } from '@/lib/database';
import { BackfillOperations } from '@/components/backfills/backfill-operations';
import { BackfillLiveView } from '@/components/backfills/backfill-view';
import { ConnectionIndicator } from '@/components/live/connection-indicator';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { isBackfillId, loadBackfill } from '@/lib/backfills';
import { formatTimestamp } from '@/lib/time/format';
import { appBackfillPipelines } from '@/lib/runtime/registry';
import { cancelBackfillAction, retryBackfillAction } from './actions';

export const metadata: Metadata = { title: 'Backfill' };
export const dynamic = 'force-dynamic';

export default async function BackfillDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePageRole('viewer');
  const { id } = await params;
  const view = isBackfillId(id) ? await loadBackfill(getDb(), appBackfillPipelines(), id) : null;
  if (!view) notFound();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <p className="text-sm">
          <Link href="/runs" className="underline underline-offset-4">
            Runs
          </Link>{' '}
          / Backfill
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            Backfill {view.startDate} → {view.endDate}
          </h1>
          <ConnectionIndicator />
        </div>
        <p className="text-sm text-foreground-muted">
          {view.pipeline} · {view.origin === 'catch_up' ? 'catch-up after downtime' : 'requested'} by {view.requestedBy} at {formatTimestamp(view.createdAt)} ·
          at most {view.maxParallel} at once{view.rebuildPublished ? ' · published days rebuilt too' : ''} · “{view.reason}”
        </p>
      </div>
      <BackfillLiveView initialData={view} />
      {hasRole(principal.role, 'operator') && <BackfillOperations backfillId={view.id} cancel={cancelBackfillAction} retry={retryBackfillAction} />}
    </div>
  );
}
