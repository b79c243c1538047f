/** What pages and routes use from the dashboard read model: the load with this deployment's delivery settings. */
import type pg from 'pg';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import type { ExecutiveSummaryReader } from './attention';
import { loadDashboard, loadDashboardPulse, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export { dashboardQuerySchema, type DashboardData, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';
export { readOncePerRun, type AttentionSource, type ExecutiveSummaryReader, type NeedsAttention } from './attention';

export async function loadDashboardNow(
  pool: pg.Pool,
  pipeline: DeliveredPipeline,
  query: DashboardQuery,
  readExecutiveSummary: ExecutiveSummaryReader,
): Promise<DashboardLoad> {
  return loadDashboard(pool, query, new Date(), await readDeliveryPolicy(pool, pipeline), readExecutiveSummary);
}

export async function loadDashboardPulseNow(pool: pg.Pool, pipeline: DeliveredPipeline): Promise<DashboardPulse> {
  return loadDashboardPulse(pool, new Date(), await readDeliveryPolicy(pool, pipeline));
}
