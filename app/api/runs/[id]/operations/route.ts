/**
 * Operator operations over HTTP: POST {kind, step?, reason, result?} → 200 with the steps that will run again (cancel:
 * the cancelled ones). complete_step carries the step's result, checked against its declared schema (400 with the
 * field paths when it does not fit). 400 bad body, 404 unknown run or step, 409 not possible in the run's state. Operator role
 * (session or bearer token). The operation and its audit entry are one transaction (lib/console/operations.ts).
 */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { apiOperationSchema, runOperation } from '@/lib/console/operations';
import { isTaskId } from '@/lib/engine';
import { notFound, parseJsonBody } from '@/lib/http/responses';
import { appRegistry } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const POST = withRole('operator', async (request, context: { params: Promise<{ id: string }> }, principal): Promise<Response> => {
  const { id } = await context.params;
  if (!isTaskId(id)) return notFound(`Run ${id} does not exist`);
  const body = await parseJsonBody(request, apiOperationSchema);
  if (!body.ok) return body.response;
  const steps = await runOperation(getDb(), appRegistry(), principal, { taskId: id, ...body.value });
  return Response.json({ run: id, kind: body.value.kind, steps }, { headers: { 'Cache-Control': 'no-store' } });
});
