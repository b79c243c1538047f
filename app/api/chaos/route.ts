/**
 * Fault-injection settings over HTTP: GET returns them, PUT applies a partial update and returns the result.
 * Operator only (session or bearer token); a change is recorded in the audit log.
 */
import { getDb } from '@/lib/database';
import { chaosPatchSchema, readChaosSettings } from '@/lib/demo/chaos';
import { changeChaosSettings } from '@/lib/demo/chaos-console';
import { parseJsonBody } from '@/lib/http/responses';
import { withRole } from '@/lib/auth/guards';

export const dynamic = 'force-dynamic';

export const GET = withRole('operator', async (): Promise<Response> => {
  return Response.json(await readChaosSettings(getDb().db));
});

export const PUT = withRole('operator', async (request, _context, principal): Promise<Response> => {
  const patch = await parseJsonBody(request, chaosPatchSchema);
  if (!patch.ok) return patch.response;
  return Response.json(await changeChaosSettings(getDb().db, patch.value, principal));
});
