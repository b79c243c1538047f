/**
 * How long every HTTP request takes, pages and route handlers alike, measured where every request passes: the
 * node:http server of scripts/serve.ts, from the first byte in to the last byte out (a streamed page counts until
 * its stream ends). Labelled with the route pattern (./route-patterns.ts), method and status.
 *
 * The server and the app's bundle load separate copies of this code (Next bundles its own), so the histogram is
 * handed to /api/metrics through a function on globalThis rather than through a module both import.
 */
import type http from 'node:http';
import { Histogram, Registry } from 'prom-client';

const SERVER_METRICS = Symbol.for('nightshift.server-metrics');
const globalForServer = globalThis as typeof globalThis & { [SERVER_METRICS]?: () => Promise<string> };

export interface RequestMetrics {
  registry: Registry;
  /** Wraps a node:http request handler so each request's duration is observed when its response finishes. */
  instrument(handler: (request: http.IncomingMessage, response: http.ServerResponse) => void): (request: http.IncomingMessage, response: http.ServerResponse) => void;
}

export function createRequestMetrics(routeOf: (pathname: string) => string): RequestMetrics {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'nightshift_http_request_duration_seconds',
    help: 'Duration of HTTP requests served by this process (pages and route handlers), by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    instrument(handler) {
      return (request, response) => {
        const started = process.hrtime.bigint();
        const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
        // 'close' also fires for a client that went away mid-response; observe once either way.
        let observed = false;
        const observe = () => {
          if (observed) return;
          observed = true;
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          duration.observe({ route: routeOf(pathname), method: request.method ?? 'GET', status: String(response.statusCode) }, seconds);
        };
        response.once('finish', observe);
        response.once('close', observe);
        handler(request, response);
      };
    },
  };
}

/** Makes this process's request metrics part of /api/metrics (see readServerMetrics). */
export function publishServerMetrics(metrics: RequestMetrics): void {
  globalForServer[SERVER_METRICS] = () => metrics.registry.metrics();
}

/** The exposition text of the server's request metrics, or '' when the app runs without scripts/serve.ts. */
export async function readServerMetrics(): Promise<string> {
  return (await globalForServer[SERVER_METRICS]?.()) ?? '';
}
