/** What pages and routes use from the dashboard read model: the load with this deployment's delivery settings. */
import type pg from 'pg';
import { env } from '@/lib/env';
import { deliverySettingsFromEnv } from '@/lib/status/delivery-clock';
import { loadDashboard, loadDashboardPulse, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export { dashboardQuerySchema, type DashboardData, type DashboardLoad, type DashboardPulse, type DashboardQuery } from './read-model';

export function loadDashboardNow(pool: pg.Pool, query: DashboardQuery): Promise<DashboardLoad> {
  return loadDashboard(pool, query, new Date(), deliverySettingsFromEnv(env()));
}

export function loadDashboardPulseNow(pool: pg.Pool): Promise<DashboardPulse> {
  return loadDashboardPulse(pool, new Date(), deliverySettingsFromEnv(env()));
}
