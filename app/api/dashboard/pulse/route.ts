/**
 * GET /api/dashboard/pulse — the current snapshot id and the freshness state (viewer). An open dashboard asks
 * this when a live message says a run changed, and reloads its data only when the answer differs from what it shows.
 */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth';
import { loadDashboardPulseNow } from '@/lib/dashboard';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async () => Response.json(await loadDashboardPulseNow(getDb().pool, deliveredPipeline()), { headers: { 'Cache-Control': 'no-store' } }));
