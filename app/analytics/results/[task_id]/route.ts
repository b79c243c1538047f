/** GET /analytics/results/:task_id — insights, segment counts, CSV links and the executive summary of a task. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth';
import { getTask, isTaskId } from '@/lib/engine';
import { badRequest, notFound } from '@/lib/http/responses';
import { readResultsOfTask } from '@/lib/runtime/seed-adapter';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ task_id: string }> }) => {
  const { task_id: taskId } = await context.params;
  if (!isTaskId(taskId)) return badRequest('invalid task id', [{ path: 'task_id', message: 'must be a UUID' }]);
  const db = getDb();
  const task = await getTask(db, taskId);
  if (!task) return notFound(`task ${taskId} does not exist`);
  return Response.json({ status: task.status, ...(await readResultsOfTask(db.pool, task)) });
});
