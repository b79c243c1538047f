/**
 * GET /api/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD (viewer, at most 92 days): each data day's delivery state,
 * computed once per data version (lib/answers); an ETag lets a client revalidate for a 304.
 */
import { withRole } from '@/lib/auth/guards';
import { answerResponse, cachedAnswers } from '@/lib/answers';
import { calendarQuerySchema } from '@/lib/delivery/calendar';
import { parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, calendarQuerySchema);
  if (!query.ok) return query.response;
  return answerResponse(request, await cachedAnswers().calendar(query.value), { 'Cache-Control': 'no-store' });
});
