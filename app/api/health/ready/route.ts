import { getDb } from '@/lib/database';
import { checkReadiness } from '@/lib/health/readiness';

export const dynamic = 'force-dynamic';

export async function GET() {
  const readiness = await checkReadiness(getDb().pool);
  return Response.json(readiness, { status: readiness.ready ? 200 : 503 });
}
