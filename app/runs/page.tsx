/** `/runs`: every run, newest first, filterable and paginated; live while the page is open. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/lib/database';
import { ConnectionIndicator } from '@/components/live/connection-indicator';
import { RecentBackfills } from '@/components/backfills/recent-backfills';
import { LazyDeliveryCalendar } from '@/components/calendar/lazy-delivery-calendar';
import { RunFilters } from '@/components/runs/run-filters';
import { RunsTable } from '@/components/runs/runs-table';
import { buttonClassName } from '@/components/ui/button';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { cachedAnswers } from '@/lib/answers';
import { listBackfills } from '@/lib/backfills';
import { loadRunList } from '@/lib/console/read-models';
import { firstValues, parseRunListQuery, pipelineCatalog } from '@/lib/console/run-filters';
import { appRegistry, deliveredPipeline } from '@/lib/runtime/registry';

export const metadata: Metadata = { title: 'Runs' };
export const dynamic = 'force-dynamic';

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await requirePageRole('viewer');
  const catalog = pipelineCatalog(appRegistry().list());
  const { query, problems } = parseRunListQuery(firstValues(await searchParams), catalog);
  const [list, calendar, backfills] = await Promise.all([loadRunList(getDb(), query, deliveredPipeline()), cachedAnswers().calendar(), listBackfills(getDb(), deliveredPipeline(), { limit: 5 })]);

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Runs</h1>
        <ConnectionIndicator />
        {hasRole(principal.role, 'operator') && (
          <div className="ml-auto flex flex-wrap gap-2">
            <Link href="/runs/backfill" className={buttonClassName('secondary', 'md')}>
              Backfill days
            </Link>
            <Link href="/runs/new" className={buttonClassName('primary', 'md')}>
              Start a run
            </Link>
          </div>
        )}
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <LazyDeliveryCalendar initialData={calendar.value} />
        <RecentBackfills backfills={backfills} />
      </div>
      <RunFilters query={query} catalog={catalog} />
      {problems.length > 0 && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          Some filters were not understood and are ignored: {problems.join('; ')}.
        </p>
      )}
      <RunsTable query={query} initialData={list} renderedAt={Date.parse(list.asOf)} />
    </div>
  );
}
