/**
 * Shared shape of every /demo/* route handler: 404 when DEMO_SOURCES is off, the role check when the route
 * shows more than demo data (the Slack sink's messages are real run summaries and alerts), the per-address rate
 * limit, input validated (400 with every issue), then the source's injected faults, then the real work.
 * Unexpected errors answer a JSON 500 (a broken database is a server error) but never leak a stack trace.
 */
import type { Database } from '@/db/client';
import { getDb } from '@/lib/database';
import { withRole } from '@/lib/auth/guards';
import { clientAddressOf } from '@/lib/auth/request-info';
import type { Role } from '@/lib/auth/roles';
import { env } from '@/lib/env';
import type { RateLimiter } from '@/lib/http/rate-limit';
import type { HttpSource } from './chaos';
import { injectFault } from './fault-injection';
import { notFound, type Parsed } from '@/lib/http/responses';

export interface DemoRouteDefinition<T> {
  /** The source whose fault injection applies; none for read-only views such as the Slack message list. */
  source?: HttpSource;
  /** Who may call it; omitted: anyone (a stand-in for another company's public API). */
  role?: Role;
  /** Requests allowed per client address, for routes anyone may write to. */
  rateLimit?: RateLimiter;
  parse(request: Request): Parsed<T> | Promise<Parsed<T>>;
  handle(input: T, db: Database): Promise<Response>;
}

export function demoRoute<T>(definition: DemoRouteDefinition<T>): (request: Request) => Promise<Response> {
  const serve = serveDemo(definition);
  if (!definition.role) return serve;
  const guarded = withRole(definition.role, (request) => serve(request));
  // DEMO_SOURCES=off hides the route from everyone, signed in or not.
  return async (request) => (env().DEMO_SOURCES ? guarded(request, undefined) : disabled());
}

function disabled(): Response {
  return notFound('the demo source systems are disabled (DEMO_SOURCES=off)');
}

function serveDemo<T>(definition: DemoRouteDefinition<T>): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!env().DEMO_SOURCES) return disabled();
    const limited = definition.rateLimit?.take(clientAddressOf(request.headers));
    if (limited && !limited.ok) {
      return Response.json(
        { error: 'rate_limited', issues: [{ path: '', message: `too many requests from this address; retry in ${limited.retryAfterSeconds} s` }] },
        { status: 429, headers: { 'Retry-After': String(limited.retryAfterSeconds) } },
      );
    }
    try {
      const input = await definition.parse(request);
      if (!input.ok) return input.response;
      const { db } = getDb();
      if (definition.source) {
        const fault = await injectFault(db, definition.source, request.signal);
        if (fault) return fault;
      }
      return await definition.handle(input.value, db);
    } catch (error) {
      console.error(`[demo] ${request.method} ${new URL(request.url).pathname} failed:`, error);
      return Response.json({ error: 'internal error', issues: [] }, { status: 500 });
    }
  };
}
