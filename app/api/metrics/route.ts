/** GET /api/metrics: Prometheus text format. Readable with METRICS_TOKEN (for a scraper) or any viewer's session or API token. */
import { withRole } from '@/lib/auth/guards';
import { env } from '@/lib/env';
import { hasMetricsToken, metricsResponse } from '@/lib/monitoring/metrics';

export const dynamic = 'force-dynamic';

const forViewers = withRole('viewer', () => metricsResponse());

export async function GET(request: Request, context: unknown) {
  return hasMetricsToken(request, env().METRICS_TOKEN) ? metricsResponse() : forViewers(request, context);
}
