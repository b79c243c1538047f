/**
 * GET /api/live/runs/:id/steps/:step/logs — every attempt of the step, newest first, each with its log lines
 * (viewer), for the step drawer; refetched on the run's live messages, so a running attempt's log streams in.
 */
import { z } from 'zod';
import { withRole } from '@/lib/auth/guards';
import { getDb } from '@/lib/database';
import { loadStepAttemptLogs } from '@/lib/console/read-models';
import { badRequest, notFound } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

const params = z.object({
  id: z.uuid('the run id must be a UUID'),
  step: z
    .string()
    .min(1, 'the step name is missing')
    .max(300, 'the step name is at most 300 characters')
    // PostgreSQL text cannot hold NUL, and no step name has control characters.
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'the step name has no control characters'),
});

export const GET = withRole<{ params: Promise<{ id: string; step: string }> }>('viewer', async (_request, context) => {
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return badRequest('invalid path', parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  const attempts = await loadStepAttemptLogs(getDb(), parsed.data.id, parsed.data.step);
  return attempts ? Response.json(attempts) : notFound(`run ${parsed.data.id} has no step ${parsed.data.step}`);
});
