/**
 * GET /api/dashboard?snapshot=&sort=&dir=&page= — the dashboard's data as JSON (viewer). The same read model as
 * the page; `Server-Timing` reports the database time, which the benchmark issue load-tests.
 */
import { getDb } from '@/db/client';
import { withRole } from '@/lib/auth';
import { dashboardQuerySchema, loadDashboardNow } from '@/lib/dashboard';
import { notFound, parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, dashboardQuerySchema);
  if (!query.ok) return query.response;
  const started = performance.now();
  const load = await loadDashboardNow(getDb().pool, query.value);
  const headers = { 'Cache-Control': 'no-store', 'Server-Timing': `db;dur=${(performance.now() - started).toFixed(1)}` };
  if (load.kind === 'unknown_snapshot') return notFound(`snapshot ${load.snapshotId} does not exist`);
  return Response.json(load, { headers });
});
