/** GET /analytics/status/:task_id — the seed's status contract (see lib/analytics/task-status.ts). */
import { getDb } from '@/lib/database';
import { toTaskStatusView } from '@/lib/analytics/task-status';
import { withRole } from '@/lib/auth';
import { loadRunDelivery } from '@/lib/delivery/runs';
import { getTask, isTaskId } from '@/lib/engine';
import { badRequest, notFound } from '@/lib/http/responses';
import { deliveredPipeline } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ task_id: string }> }) => {
  const { task_id: taskId } = await context.params;
  if (!isTaskId(taskId)) return badRequest('invalid task id', [{ path: 'task_id', message: 'must be a UUID' }]);
  const task = await getTask(getDb(), taskId);
  if (!task) return notFound(`task ${taskId} does not exist`);
  return Response.json(toTaskStatusView(task, await loadRunDelivery(getDb().pool, taskId, deliveredPipeline())));
});
