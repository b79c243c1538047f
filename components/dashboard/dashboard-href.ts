/** Links to the dashboard with some of its query changed, for the server's pager and the browser's tables alike. */
import type { DashboardQuery } from '@/lib/dashboard/read-model';

export function dashboardHref(query: DashboardQuery, change: Partial<DashboardQuery>): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.snapshot !== undefined) params.set('snapshot', String(next.snapshot));
  if (next.sort !== 'lifetime_value') params.set('sort', next.sort);
  if (next.dir !== 'desc') params.set('dir', next.dir);
  if (next.page !== 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/?${search}` : '/';
}
