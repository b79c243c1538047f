/**
 * GET /status.json — the public status page's data (lib/status), computed once per data version (lib/answers),
 * with an ETag for conditional requests and a short public max-age. Public.
 */
import { ANSWER_MAX_AGE_MS, answerResponse, cachedAnswers } from '@/lib/answers';

export const dynamic = 'force-dynamic';

// Short enough that "is today's delivery in?" is answered within a minute, long enough to absorb a refresh storm.
const CACHE_CONTROL = `public, max-age=${ANSWER_MAX_AGE_MS / 1000}, stale-while-revalidate=30`;

export async function GET(request: Request): Promise<Response> {
  return answerResponse(request, await cachedAnswers().status(), { 'Cache-Control': CACHE_CONTROL });
}
