/** GET /api/runs/{id}/results — what a run published, as its pipeline reads it (PipelineModule.readResults). */
import { withRole } from '@/lib/auth';
import { getDb } from '@/lib/database';
import { isTaskId, readTaskFacts } from '@/lib/engine';
import { badRequest, notFound } from '@/lib/http/responses';
import { moduleOfRun } from '@/lib/platform/pipeline-module';
import { pipelineModules } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  if (!isTaskId(id)) return badRequest('invalid run id', [{ path: 'id', message: 'must be a UUID' }]);
  const db = getDb();
  const task = await readTaskFacts(db.pool, id);
  if (!task) return notFound(`run ${id} does not exist`);
  const pipeline = `${task.namespace}/${task.name}`;
  const served = moduleOfRun(pipelineModules(), task);
  if (!served?.readResults) return notFound(`${pipeline} publishes no results that this API can read`);
  const results = await served.readResults(db, id);
  if (results === null || results === undefined) return notFound(`run ${id} has published no results (it is ${task.status})`);
  return Response.json({ task_id: id, pipeline, version: task.version, status: task.status, results });
});
