/**
 * GET /api/dashboard?snapshot=&sort=&dir=&page= — the dashboard's data as JSON (viewer). The same answer as the
 * page, computed once per data version (lib/answers); an ETag lets a client revalidate for a 304.
 * `Server-Timing` reports the time spent getting the answer, which the benchmark load-tests.
 */
import { withRole } from '@/lib/auth';
import { answerResponse, cachedAnswers } from '@/lib/answers';
import { dashboardQuerySchema } from '@/lib/dashboard';
import { notFound, parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, dashboardQuerySchema);
  if (!query.ok) return query.response;
  const started = performance.now();
  const answer = await cachedAnswers().dashboard(query.value);
  if (answer.value.kind === 'unknown_snapshot') return notFound(`snapshot ${answer.value.snapshotId} does not exist`);
  // Signed-in data is never stored by browsers or proxies; a client that kept the body itself may still revalidate.
  return answerResponse(request, answer, {
    'Cache-Control': 'no-store',
    'Server-Timing': `db;dur=${(performance.now() - started).toFixed(1)}`,
  });
});
