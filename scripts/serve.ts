/**
 * The HTTP server `npm start` runs: Next's request handler behind a plain node:http server, for two reasons.
 * Next keeps a client-sent X-Forwarded-For and never exposes the socket, so the app could not tell the real
 * peer from a forged header. Here the peer is written into PEER_ADDRESS_HEADER, overwriting anything a client
 * sent under that name; lib/auth/request-info.ts decides from it whether forwarding headers may be believed.
 * And every request passes here, pages included, so request durations are measured here (lib/http/request-metrics.ts).
 *
 * Usage: node --import tsx scripts/serve.ts [--dev] (PORT from the environment).
 */
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { env } from '../lib/env';
import { stampPeerAddress } from '../lib/http/peer-address';
import { createRequestMetrics, publishServerMetrics } from '../lib/http/request-metrics';
import { readRoutePatterns, routeResolver } from '../lib/http/route-patterns';

const dev = process.argv.includes('--dev');

async function main() {
  const port = env().PORT;
  const app = next({ dev, dir: process.cwd(), port, hostname: 'localhost' });
  const handle = app.getRequestHandler();
  await app.prepare();
  // Every page and route handler passes here, so this is where request durations are measured (/api/metrics).
  const requestMetrics = createRequestMetrics(routeResolver(readRoutePatterns(path.join(process.cwd(), 'app'))));
  publishServerMetrics(requestMetrics);
  const server = http.createServer(
    requestMetrics.instrument((request, response) => {
      stampPeerAddress(request);
      void handle(request, response);
    }),
  );
  if (dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (request, socket, head) => {
      stampPeerAddress(request);
      void upgrade(request, socket, head);
    });
  }
  server.listen(port, () => console.log(`[nightshift] serving on http://localhost:${port}${dev ? ' (dev)' : ''}`));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // Like `next start`: stop taking requests, let the engine's own SIGTERM handler release its work, exit.
    server.close();
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
      void app.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    }, 1_200).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`[nightshift] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
