/** GET /status.json — the public status page's data (lib/status), cacheable for a short while. Public. */
import { getDb } from '@/db/client';
import { loadPublicStatus } from '@/lib/status';

export const dynamic = 'force-dynamic';

// Short enough that "is today's delivery in?" is answered within a minute, long enough to absorb a refresh storm.
const CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=30';

export async function GET(): Promise<Response> {
  return Response.json(await loadPublicStatus(getDb().pool), { headers: { 'Cache-Control': CACHE_CONTROL } });
}
