/**
 * GET /api/failures (viewer): every step failed now, across runs and pipelines, grouped by pipeline, step and error
 * class, newest last failure first (lib/console/failures.ts). `?pipeline=namespace/name&step=&error_class=` narrow
 * it; an unknown or malformed parameter is a 400 naming it.
 */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { failureListFilter, listFailureGroups } from '@/lib/console/failures';
import { parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const filter = parseQuery(request.url, failureListFilter);
  if (!filter.ok) return filter.response;
  const groups = await listFailureGroups(getDb(), filter.value);
  return Response.json({
    groups: groups.map((group) => ({
      pipeline: group.pipeline,
      step: group.step,
      error_class: group.errorClass,
      failed_steps: group.failedSteps,
      runs: group.runs,
      first_seen: group.firstSeen,
      last_seen: group.lastSeen,
      sample_message: group.sampleMessage,
      run_ids: group.runIds,
    })),
  });
});
