/** What pages and routes use from the dashboard read model: the load with this deployment's delivery settings. */
import type pg from 'pg';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { loadDashboard, loadDashboardPulse, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export { dashboardQuerySchema, type DashboardData, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export async function loadDashboardNow(pool: pg.Pool, query: DashboardQuery): Promise<DashboardLoad> {
  return loadDashboard(pool, query, new Date(), await readDeliveryPolicy(pool));
}

export async function loadDashboardPulseNow(pool: pg.Pool): Promise<DashboardPulse> {
  return loadDashboardPulse(pool, new Date(), await readDeliveryPolicy(pool));
}
