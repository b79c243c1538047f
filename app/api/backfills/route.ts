/**
 * POST /api/backfills (operator): {pipeline?, start_date, end_date, max_parallel?, rebuild_published?, reason} → 202 with
 * the new backfill, or 200 with `"existing": true` when the same range is already being backfilled. 400 names
 * every problem; nothing is written then. GET (viewer): the newest backfills with their day counts.
 */
import { getDb } from '@/lib/database';
import { auditActorOf, withRole } from '@/lib/auth';
import { backfillListQuerySchema, createBackfill, listBackfills, promoteBackfill } from '@/lib/backfills';
import { badRequest, parseJsonBody, parseQuery } from '@/lib/http/responses';
import { appBackfillPipelines, deliveredPipeline } from '@/lib/runtime/registry';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

export const POST = withRole('operator', async (request, _context, principal) => {
  const body = await parseJsonBody(request, z.unknown(), { maxBytes: 16 * 1024 });
  if (!body.ok) return body.response;
  const db = getDb();
  const result = await createBackfill(db, appBackfillPipelines(), body.value, { ...auditActorOf(principal), origin: 'operator' });
  if (!result.ok) return badRequest('invalid request body', result.issues);
  const { backfill } = result;
  if (backfill.created) await promoteBackfill(db, appBackfillPipelines(), backfill.id);
  const payload = {
    backfill_id: backfill.id,
    days: backfill.days,
    skipped: backfill.skipped,
    status_url: `/api/backfills/${backfill.id}`,
    page_url: `/runs/backfills/${backfill.id}`,
    ...(backfill.created ? {} : { existing: true }),
  };
  return Response.json(payload, { status: backfill.created ? 202 : 200 });
});

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, backfillListQuerySchema);
  if (!query.ok) return query.response;
  return Response.json({ backfills: await listBackfills(getDb(), deliveredPipeline(), { limit: query.value.limit }) });
});
