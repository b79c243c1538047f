/**
 * GET /api/slo?pipeline=namespace.name&days=N (viewer): the pipeline's reliability report (lib/reliability) — the
 * last N days' figures and daily record (N ≤ 90, default 30), and the 7/30/90-day and monthly figures — computed
 * once per data version (lib/answers); an ETag lets a client revalidate for a 304.
 */
import { withRole } from '@/lib/auth/guards';
import { answerResponse, cachedAnswers } from '@/lib/answers';
import { sloQuerySchema } from '@/lib/reliability/slo';
import { notFound, parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, sloQuerySchema);
  if (!query.ok) return query.response;
  const answers = cachedAnswers();
  const report = await answers.reliability(query.value);
  if (!report) return notFound(`pipeline ${query.value.pipeline ?? ''} is not served here; known: ${answers.reliabilityPipelines().join(', ')}`);
  return answerResponse(request, report, { 'Cache-Control': 'no-store' });
});
