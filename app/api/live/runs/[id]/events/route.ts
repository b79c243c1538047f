/** GET /api/live/runs/:id/events — the run's event log as JSON (viewer), for the Events tab and the step drawer. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { loadRunDetail, loadRunEvents } from '@/lib/console/read-models';
import { notFound } from '@/lib/http/responses';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole<{ params: Promise<{ id: string }> }>('viewer', async (_request, context) => {
  const { id } = await context.params;
  const events = await loadRunEvents(getDb(), id);
  if (events.length === 0 && !(await loadRunDetail(getDb(), id, deliveredPipeline()))) return notFound(`run ${id} not found`);
  return Response.json(events);
});
