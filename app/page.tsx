/** `/`: the executive dashboard of the default view (or a picked snapshot); operators review and promote snapshots here. Viewer and above. */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AovBySegmentChart, CategoryRevenueChart, DailyRevenueChart, LtvHistogram, SegmentChart, TopProductsChart } from '@/components/dashboard/lazy-charts';
import { DashboardLive } from '@/components/dashboard/dashboard-live';
import { DashboardEmptyState } from '@/components/dashboard/empty-state';
import { FreshnessBanner } from '@/components/dashboard/freshness-banner';
import { KpiCards } from '@/components/dashboard/kpi-cards';
import { LiveUpdates } from '@/components/live/live-updates';
import { LazyDeliveryCalendar } from '@/components/calendar/lazy-delivery-calendar';
import { SnapshotPicker } from '@/components/dashboard/snapshot-picker';
import { LowStockPages, STOCK_PAGE_PARAM, stockPageSchema } from '@/components/dashboard/low-stock-pages';
import { NeedsAttentionSection } from '@/components/dashboard/needs-attention';
import { InsightsList, SegmentTable, TopCustomersTable } from '@/components/dashboard/tables';
import { buttonClassName } from '@/components/ui/button';
import { DiscardSnapshotForm, MakeDefaultViewForm, PublishAnywayForm } from './delivery/review-forms';
import { hasRole, requirePageRole } from '@/lib/auth';
import { cachedAnswers } from '@/lib/answers';
import { dashboardQuerySchema, type DashboardLoad, type DashboardPulse } from '@/lib/dashboard';

export const metadata: Metadata = { title: 'Executive dashboard' };
export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** What this render shows, in the terms DashboardLive compares with the live pulse. */
function shownPulse(load: Exclude<DashboardLoad, { kind: 'unknown_snapshot' }>): DashboardPulse {
  if (load.kind === 'empty') return { currentSnapshotId: null, state: load.freshness.state };
  return { currentSnapshotId: load.data.snapshots.find((snapshot) => snapshot.isCurrent)?.id ?? null, state: load.data.freshness.state };
}

export default async function DashboardPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageRole('viewer');
  const isOperator = hasRole(principal.role, 'operator');
  const { [STOCK_PAGE_PARAM]: stockPage, ...raw } = await searchParams;
  const parsed = dashboardQuerySchema.safeParse(
    Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value])),
  );
  // A link to a snapshot that does not (or cannot) exist is a 404; any other mistyped or stale parameter still
  // shows the dashboard, with its defaults and a note of what was ignored.
  if (!parsed.success && parsed.error.issues.some((issue) => issue.path[0] === 'snapshot')) notFound();
  const query = parsed.success ? parsed.data : dashboardQuerySchema.parse({});
  const { dashboard: answer, calendar } = await cachedAnswers().dashboardPage(query);
  const load = answer.value;
  if (load.kind === 'unknown_snapshot') notFound();

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold tracking-tight">Executive dashboard</h1>
        {load.kind === 'ready' && <SnapshotPicker snapshots={load.data.snapshots} selectedId={load.data.snapshot.id} />}
      </div>
      <LiveUpdates>
        <DashboardLive shown={shownPulse(load)} followsCurrent={query.snapshot === undefined} />
      {!parsed.success && (
        <p role="alert" className="rounded-card border border-status-retrying bg-status-retrying-tint p-3 text-sm text-status-retrying">
          Some link parameters were not understood and were ignored: {parsed.error.issues.map((issue) => issue.message).join('; ')}.
        </p>
      )}
      {load.kind === 'empty' && <DashboardEmptyState freshness={load.freshness} isOperator={isOperator} />}
      {load.kind === 'ready' && (
        <>
          <FreshnessBanner data={load.data} isOperator={isOperator} />
          {isOperator && load.data.snapshot.state === 'published' && !load.data.snapshot.isCurrent && (
            <MakeDefaultViewForm snapshotId={load.data.snapshot.id} taskId={load.data.snapshot.taskId} />
          )}
          {isOperator && load.data.snapshot.state === 'held' && (
            <div className="flex flex-col gap-2">
              <PublishAnywayForm taskId={load.data.snapshot.taskId} />
              <DiscardSnapshotForm taskId={load.data.snapshot.taskId} />
            </div>
          )}
          <NeedsAttentionSection attention={load.data.attention} />
          <section aria-labelledby="kpi-heading" className="flex flex-col gap-3">
            <h2 id="kpi-heading" className="text-lg font-semibold">
              Key figures
            </h2>
            <KpiCards kpis={load.data.kpis} />
          </section>
          <section aria-labelledby="charts-heading" className="flex flex-col gap-3">
            <h2 id="charts-heading" className="text-lg font-semibold">
              Customers, products and revenue
            </h2>
            <SegmentTable segments={load.data.segments} />
            <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
              <SegmentChart segments={load.data.segments} />
              <LtvHistogram buckets={load.data.ltvHistogram} />
              <DailyRevenueChart days={load.data.dailyRevenue} anomalyDays={load.data.attention?.revenueAnomalyDays} />
              <TopProductsChart products={load.data.topProducts} />
              <CategoryRevenueChart categories={load.data.revenueByCategory} />
              <AovBySegmentChart segments={load.data.segments} />
            </div>
          </section>
          <InsightsList insights={load.data.insights.map(({ kind, sentence }) => ({ kind, sentence }))} />
          <TopCustomersTable customers={load.data.topCustomers} query={query} />
          <LowStockPages lowStock={load.data.lowStock} query={query} page={stockPageSchema.parse(Array.isArray(stockPage) ? stockPage[0] : stockPage)} />
          <section aria-label="Downloads" className="flex flex-wrap gap-3">
            <a className={buttonClassName('secondary')} href={load.data.links.customersCsv} download>
              Download customers CSV
            </a>
            <a className={buttonClassName('secondary')} href={load.data.links.productsCsv} download>
              Download products CSV
            </a>
          </section>
        </>
      )}
        <LazyDeliveryCalendar initialData={calendar.value} />
      </LiveUpdates>
    </div>
  );
}
