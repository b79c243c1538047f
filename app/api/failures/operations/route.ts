/**
 * POST /api/failures/operations (operator): `{ kind: "retry" | "resolve", pipeline, step, error_class, reason }` →
 * the operation on every failed step of that group, each its own audited run operation (lib/console/failures.ts).
 * 200 with the steps affected per run and the ones refused (409: the run changed meanwhile); 400 names every bad
 * field and writes nothing; 404 when no step of the group is failed now.
 */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { groupOperationSchema, runGroupOperation } from '@/lib/console/failures';
import { parseJsonBody } from '@/lib/http/responses';
import { appRegistry } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const POST = withRole('operator', async (request, _context, principal) => {
  const body = await parseJsonBody(request, groupOperationSchema);
  if (!body.ok) return body.response;
  const { pipeline, step, error_class: errorClass, kind } = body.value;
  const result = await runGroupOperation(getDb(), appRegistry(), principal, body.value);
  return Response.json({ kind, pipeline, step, error_class: errorClass, ...result });
});
