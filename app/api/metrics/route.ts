/** GET /api/metrics: Prometheus text format. Readable with METRICS_TOKEN (for a scraper) or any viewer's session or API token. */
import { withRole } from '@/lib/auth/guards';
import { env } from '@/lib/env';
import { hasMetricsToken, instrumentRoute, metricsResponse } from '@/lib/monitoring/metrics';

export const dynamic = 'force-dynamic';

const forViewers = withRole('viewer', () => metricsResponse());

export const GET = instrumentRoute('/api/metrics', async (request: Request, context: unknown) =>
  hasMetricsToken(request, env().METRICS_TOKEN) ? metricsResponse() : forViewers(request, context),
);
