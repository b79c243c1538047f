/**
 * GET /analytics/results/:task_id/customers.csv | products.csv | at-risk-customers.csv | products-to-reorder.csv —
 * streamed CSV of a task's metrics and of its executive summary's action lists.
 */
import { getDb } from '@/lib/database';
import { isCsvKind, streamMetricsCsv } from '@/lib/analytics/csv';
import { withRole } from '@/lib/auth';
import { getTask, isTaskId } from '@/lib/engine';
import { badRequest, notFound } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request, context: { params: Promise<{ task_id: string; file: string }> }) => {
  const { task_id: taskId, file } = await context.params;
  if (!isTaskId(taskId)) return badRequest('invalid task id', [{ path: 'task_id', message: 'must be a UUID' }]);
  const kind = file.replace(/\.csv$/, '');
  if (!file.endsWith('.csv') || !isCsvKind(kind)) return notFound('no such export: use customers.csv, products.csv, at-risk-customers.csv or products-to-reorder.csv');
  const db = getDb();
  if (!(await getTask(db, taskId))) return notFound(`task ${taskId} does not exist`);
  return new Response(streamMetricsCsv(db.pool, taskId, kind), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${kind}-${taskId}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
});
