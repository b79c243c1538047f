/** POST /analytics/start — the seed's endpoint: start (or reuse) a customer_analytics run for a window. */
import { getDb } from '@/lib/database';
import { startCustomerAnalyticsRun } from '@/lib/runtime/seed-adapter';
import { auditActorOf, withRole } from '@/lib/auth';
import { recordAudit } from '@/lib/audit/record';
import { badRequest, parseJsonBody } from '@/lib/http/responses';
import { appRegistry } from '@/lib/runtime/registry';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

// The input is a window, a flag and a few channel names: 16 KiB is generous.
const MAX_START_BODY_BYTES = 16 * 1024;

export const POST = withRole('operator', async (request, _context, principal) => {
  // Shape is checked by the pipeline's own schema; here only "is it a JSON object of sane size".
  const body = await parseJsonBody(request, z.unknown(), { maxBytes: MAX_START_BODY_BYTES });
  if (!body.ok) return body.response;
  const db = getDb();
  const started = await startCustomerAnalyticsRun(db, appRegistry(), body.value, principal.label);
  if (!started.ok) return badRequest('invalid request body', started.issues);
  const { outcome } = started;
  if (outcome.kind === 'created') {
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: outcome.taskId, details: { window: started.window } });
  }
  const payload = {
    task_id: outcome.taskId,
    status: outcome.status,
    status_url: `/analytics/status/${outcome.taskId}`,
    ...(outcome.kind === 'reused' ? { reused: true } : {}),
    ...(outcome.kind === 'already_running' ? { already_running: true } : {}),
  };
  return Response.json(payload, { status: outcome.kind === 'created' ? 202 : 200 });
});
