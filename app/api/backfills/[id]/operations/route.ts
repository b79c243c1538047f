/**
 * POST /api/backfills/:id/operations (operator): {kind: "cancel" | "retry_failed", reason} → 200 {backfill, kind,
 * days, runs}. 400 bad body, 404 unknown backfill, 409 not possible now (nothing to cancel or retry) — nothing written.
 */
import { getDb } from '@/lib/database';
import { auditActorOf, withRole } from '@/lib/auth';
import { backfillOperationSchema, runBackfillOperation } from '@/lib/backfills';
import { parseJsonBody } from '@/lib/http/responses';
import { appBackfillPipelines } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const POST = withRole('operator', async (request, context: { params: Promise<{ id: string }> }, principal): Promise<Response> => {
  const { id } = await context.params;
  const body = await parseJsonBody(request, backfillOperationSchema);
  if (!body.ok) return body.response;
  const result = await runBackfillOperation(getDb(), appBackfillPipelines(), auditActorOf(principal), { backfillId: id, ...body.value });
  return Response.json({ backfill: id, ...result });
});
