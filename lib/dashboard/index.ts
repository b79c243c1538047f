/** What pages and routes use from the dashboard read model: the load with this deployment's delivery settings. */
import type pg from 'pg';
import { env } from '@/lib/env';
import { deliverySettingsFromEnv } from '@/lib/status/delivery-clock';
import { loadDashboard, type DashboardLoad, type DashboardQuery } from './read-model';

export { dashboardQuerySchema, type DashboardData, type DashboardLoad, type DashboardQuery } from './read-model';

export function loadDashboardNow(pool: pg.Pool, query: DashboardQuery): Promise<DashboardLoad> {
  return loadDashboard(pool, query, new Date(), deliverySettingsFromEnv(env()));
}
