/**
 * Serves exported route handlers (GET/POST/PUT taking a web Request) over real HTTP on a random port,
 * without `next build`, stamping each request's socket peer and timing each request as the real server does. Like Next, the Request's signal aborts when the client disconnects, which is
 * what lets an injected hang end when its client gives up.
 *
 * Route handlers read the database through getDb(): call `useAppDatabase(url)` before importing them.
 */
import { forgetParsedEnv } from '@/lib/env';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { stampPeerAddress } from '@/lib/http/peer-address';
import { createRequestMetrics, publishServerMetrics } from '@/lib/http/request-metrics';
import { readRoutePatterns, routeResolver } from '@/lib/http/route-patterns';

/** What Next passes as the second argument: the dynamic segments matched (`[task_id]` → params.task_id). */
interface RouteContext {
  params: Promise<Record<string, string>>;
}
// Each route types its own segment names; `never` lets any of them in, and the server passes what it matched.
type Handler = (request: Request, context: never) => Response | Promise<Response>;
type CallableHandler = (request: Request, context: RouteContext) => Response | Promise<Response>;
export type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Handler>>;

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Finds the route for a path; keys may hold dynamic segments as in app/ (`/runs/[id]`). */
function matchRoute(routes: Record<string, RouteModule>, pathname: string): { route: RouteModule; params: Record<string, string> } | undefined {
  const exact = routes[pathname];
  if (exact) return { route: exact, params: {} };
  const segments = pathname.split('/');
  for (const [pattern, route] of Object.entries(routes)) {
    const patternSegments = pattern.split('/');
    if (patternSegments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = patternSegments.every((part, index) => {
      const segment = segments[index] ?? '';
      const dynamic = /^\[(.+)\]$/.exec(part);
      if (dynamic?.[1]) {
        params[dynamic[1]] = decodeURIComponent(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

export async function serveRoutes(routes: Record<string, RouteModule>): Promise<TestServer> {
  // As scripts/serve.ts does: every request's duration, labelled with the app's route pattern, in /api/metrics.
  const requestMetrics = createRequestMetrics(routeResolver(readRoutePatterns(path.join(import.meta.dirname, '../../app'))));
  publishServerMetrics(requestMetrics);
  const server = http.createServer(requestMetrics.instrument((incoming, outgoing) => {
    void (async () => {
      // As scripts/serve.ts does: the app learns the socket's peer from this header and nowhere else.
      stampPeerAddress(incoming);
      const base = `http://${incoming.headers.host ?? '127.0.0.1'}`;
      const url = new URL(incoming.url ?? '/', base);
      const matched = matchRoute(routes, url.pathname);
      const route = matched?.route;
      const method = (incoming.method ?? 'GET') as keyof RouteModule;
      const handler = route?.[method];
      if (!route || !handler) {
        outgoing.writeHead(route ? 405 : 404, { 'Content-Type': 'application/json' });
        outgoing.end(JSON.stringify({ error: route ? 'method not allowed' : 'not found' }));
        return;
      }
      const disconnected = new AbortController();
      outgoing.on('close', () => {
        if (!outgoing.writableFinished) disconnected.abort(new Error('client disconnected'));
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      }
      const body = method === 'GET' ? undefined : Uint8Array.from(await readBody(incoming));
      const request = new Request(url, { method, headers, body, signal: disconnected.signal });
      const response = await (handler as CallableHandler)(request, { params: Promise.resolve(matched?.params ?? {}) });
      if (outgoing.destroyed) return;
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      outgoing.writeHead(response.status, responseHeaders);
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      // A handler that throws is what Next turns into a bare 500; tests should see the same.
      console.error('[test server] handler threw', error);
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    });
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const globalWithDb = globalThis as typeof globalThis & {
  nightshiftDb?: { close(): Promise<void> };
  nightshiftAnswers?: { close(): void };
  nightshiftLiveHub?: { close(): Promise<void> };
};

/**
 * Points getDb() (and env()) at a test database. Returns a teardown that closes the shared pool and
 * forgets it, so a later test file in the same worker process does not get a closed pool. The process-wide
 * users of that pool go first: the live hub holds a LISTEN connection out of it (the cached answers of
 * lib/answers keep it subscribed), and a pool does not finish closing while a connection is checked out.
 */
export function useAppDatabase(url: string): () => Promise<void> {
  process.env.DATABASE_URL = url;
  // A process that served another database before (two benchmarks in one file) must read DATABASE_URL anew.
  forgetParsedEnv();
  return async () => {
    globalWithDb.nightshiftAnswers?.close();
    delete globalWithDb.nightshiftAnswers;
    await globalWithDb.nightshiftLiveHub?.close();
    delete globalWithDb.nightshiftLiveHub;
    await globalWithDb.nightshiftDb?.close();
    delete globalWithDb.nightshiftDb;
  };
}
