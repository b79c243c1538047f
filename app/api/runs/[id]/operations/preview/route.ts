/** GET ?kind=&step= → the steps the operation would run again (or cancel), without acting. Operator role. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { apiPreviewSchema, previewOperation } from '@/lib/console/operations';
import { isTaskId } from '@/lib/engine';
import { notFound, parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('operator', async (request, context: { params: Promise<{ id: string }> }): Promise<Response> => {
  const { id } = await context.params;
  if (!isTaskId(id)) return notFound(`Run ${id} does not exist`);
  const query = parseQuery(request.url, apiPreviewSchema);
  if (!query.ok) return query.response;
  const steps = await previewOperation(getDb(), { taskId: id, ...query.value });
  return Response.json({ run: id, kind: query.value.kind, steps }, { headers: { 'Cache-Control': 'no-store' } });
});
