/**
 * Fault-injection settings over HTTP: GET returns them, PUT applies a partial update and returns the result.
 * Operator only (session or bearer token); a change is recorded in the audit log.
 */
import { getDb } from '@/db/client';
import { chaosPatchSchema, readChaosSettings, updateChaosSettings } from '@/lib/sources/chaos';
import { parseJsonBody } from '@/lib/http/responses';
import { recordAudit } from '@/lib/audit/record';
import { withRole } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';

export const dynamic = 'force-dynamic';

export const GET = withRole('operator', async (): Promise<Response> => {
  return Response.json(await readChaosSettings(getDb().db));
});

export const PUT = withRole('operator', async (request, _context, principal): Promise<Response> => {
  const patch = await parseJsonBody(request, chaosPatchSchema);
  if (!patch.ok) return patch.response;
  const settings = await updateChaosSettings(getDb().db, patch.value);
  await recordAudit(getDb().db, { ...auditActorOf(principal), action: 'chaos.update', target: 'chaos_settings', details: { change: patch.value } });
  return Response.json(settings);
});
