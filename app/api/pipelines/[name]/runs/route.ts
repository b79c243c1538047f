/** POST /api/pipelines/{name}/runs — start a run of any registered pipeline with that pipeline's input as the body. */
import { z } from 'zod';
import { auditActorOf, withRole } from '@/lib/auth';
import { recordAudit } from '@/lib/audit/record';
import { getDb } from '@/lib/database';
import { badRequest, notFound, parseJsonBody } from '@/lib/http/responses';
import { startPipelineRun } from '@/lib/platform/pipelines-api';
import { appRegistry, pipelineModules } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

// A pipeline's input is a handful of settings: 64 KiB is generous.
const MAX_START_BODY_BYTES = 64 * 1024;
const idempotencyKey = z.string().trim().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'use printable ASCII without spaces');

export const POST = withRole('operator', async (request, context: { params: Promise<{ name: string }> }, principal) => {
  const { name } = await context.params;
  const key = request.headers.get('idempotency-key');
  const parsedKey = key === null ? undefined : idempotencyKey.safeParse(key);
  if (parsedKey && !parsedKey.success) {
    return badRequest('invalid Idempotency-Key header', parsedKey.error.issues.map((issue) => ({ path: 'Idempotency-Key', message: issue.message })));
  }
  // Shape is checked by the pipeline's own schema; here only "is it JSON of sane size".
  const body = await parseJsonBody(request, z.unknown(), { maxBytes: MAX_START_BODY_BYTES });
  if (!body.ok) return body.response;
  const db = getDb();
  const started = await startPipelineRun(db, appRegistry(), pipelineModules(), {
    pipeline: name,
    input: body.value,
    initiator: principal.label,
    idempotencyKey: parsedKey?.data,
  });
  if (started.kind === 'unknown_pipeline') return notFound(started.message);
  if (started.kind === 'ambiguous_pipeline') return badRequest(started.message, started.choices.map((choice) => ({ path: 'name', message: choice })));
  const { result } = started;
  if (!result.ok) return badRequest('invalid input', result.issues);
  if (result.created) {
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: result.taskId, details: { pipeline: name } });
  }
  return Response.json(
    {
      task_id: result.taskId,
      status: result.status,
      status_url: `/api/runs/${result.taskId}`,
      ...(result.reused ? { reused: true } : {}),
      ...(result.alreadyRunning ? { already_running: true } : {}),
    },
    { status: result.created ? 202 : 200 },
  );
});
