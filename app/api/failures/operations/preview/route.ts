/**
 * GET /api/failures/operations/preview?kind=retry|resolve&pipeline=&step=&error_class= (operator): per failed step of
 * the group, the steps its operation would run again, and the ones it would refuse now. Writes nothing.
 */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { groupPreviewSchema, previewGroupOperation } from '@/lib/console/failures';
import { parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('operator', async (request) => {
  const query = parseQuery(request.url, groupPreviewSchema);
  if (!query.ok) return query.response;
  const { pipeline, step, error_class: errorClass, kind } = query.value;
  return Response.json({ kind, pipeline, step, error_class: errorClass, ...(await previewGroupOperation(getDb(), query.value)) });
});
