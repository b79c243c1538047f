/** What pages and routes use from the dashboard read model: the load with this deployment's delivery settings. */
import type pg from 'pg';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { loadDashboard, loadDashboardPulse, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export { dashboardQuerySchema, type DashboardData, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export async function loadDashboardNow(pool: pg.Pool, pipeline: DeliveredPipeline, query: DashboardQuery): Promise<DashboardLoad> {
  return loadDashboard(pool, query, new Date(), await readDeliveryPolicy(pool, pipeline));
}

export async function loadDashboardPulseNow(pool: pg.Pool, pipeline: DeliveredPipeline): Promise<DashboardPulse> {
  return loadDashboardPulse(pool, new Date(), await readDeliveryPolicy(pool, pipeline));
}
