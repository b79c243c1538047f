/** GET /api/live/runs — the /runs list as JSON (viewer), refetched by the page when a live message arrives. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { loadRunList } from '@/lib/console/read-models';
import { runListQuerySchema } from '@/lib/console/run-filters';
import { parseQuery } from '@/lib/http/responses';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, runListQuerySchema);
  if (!query.ok) return query.response;
  return Response.json(await loadRunList(getDb(), query.value, deliveredPipeline()));
});
