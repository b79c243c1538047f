/** GET /api/backfills/:id (viewer): the backfill, its counts, ETA and one row per day; the backfill page refetches it live. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { isBackfillId, loadBackfill } from '@/lib/backfills';
import { notFound } from '@/lib/http/responses';
import { appBackfillPipelines } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ id: string }> }): Promise<Response> => {
  const { id } = await context.params;
  const view = isBackfillId(id) ? await loadBackfill(getDb(), appBackfillPipelines(), id) : null;
  if (!view) return notFound(`Backfill ${id} does not exist`);
  return Response.json(view);
});
