/** GET /api/runs/{id} — any pipeline's run: the /analytics/status shape, with map children and the pinned definition. */
import { toTaskStatusView } from '@/lib/analytics/task-status';
import { withRole } from '@/lib/auth';
import { getDb } from '@/lib/database';
import { loadRunDelivery } from '@/lib/delivery/runs';
import { getTask, isTaskId } from '@/lib/engine';
import { badRequest, notFound } from '@/lib/http/responses';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!isTaskId(id)) return badRequest('invalid run id', [{ path: 'id', message: 'must be a UUID' }]);
  const task = await getTask(getDb(), id);
  if (!task) return notFound(`run ${id} does not exist`);
  return Response.json(toTaskStatusView(task, await loadRunDelivery(getDb().pool, id, deliveredPipeline())));
});
