/** GET /api/metrics: Prometheus text format. Readable with METRICS_TOKEN (for a scraper) or any viewer's session or API token. */
import { withRole } from '@/lib/auth/guards';
import { env } from '@/lib/env';
import { readServedReliabilityReports } from '@/lib/answers';
import { appMetrics, extendMetrics, hasMetricsToken, metricsResponse } from '@/lib/monitoring/metrics';
import { registerReliabilityGauges } from '@/lib/reliability/gauges';

export const dynamic = 'force-dynamic';

/** The process's metrics with the reliability gauges, which only this route serves. */
const served = () => extendMetrics(appMetrics(), 'reliability', (registry) => registerReliabilityGauges(registry, readServedReliabilityReports));

const forViewers = withRole('viewer', () => metricsResponse(served()));

export async function GET(request: Request, context: unknown) {
  return hasMetricsToken(request, env().METRICS_TOKEN) ? metricsResponse(served()) : forViewers(request, context);
}
