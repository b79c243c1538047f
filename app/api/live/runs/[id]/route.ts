/** GET /api/live/runs/:id — one run with its steps and attempts as JSON (viewer), for the live run page. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { loadRunDetail } from '@/lib/console/read-models';
import { notFound } from '@/lib/http/responses';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole<{ params: Promise<{ id: string }> }>('viewer', async (_request, context) => {
  const { id } = await context.params;
  const run = await loadRunDetail(getDb(), id, deliveredPipeline());
  return run ? Response.json(run) : notFound(`run ${id} not found`);
});
