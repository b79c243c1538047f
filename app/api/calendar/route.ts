/** GET /api/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD (viewer, at most 92 days): each data day's delivery state. */
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { calendarQuerySchema, readDeliveryCalendar } from '@/lib/delivery/calendar';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { parseQuery } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request) => {
  const query = parseQuery(request.url, calendarQuerySchema);
  if (!query.ok) return query.response;
  const { pool } = getDb();
  return Response.json(await readDeliveryCalendar(pool, await readDeliveryPolicy(pool), query.value));
});
