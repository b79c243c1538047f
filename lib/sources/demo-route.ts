/**
 * Shared shape of every /demo/* route handler: 404 when DEMO_SOURCES is off, input validated (400 with
 * every issue), then the source's injected faults, then the real work. Unexpected errors answer a JSON
 * 500 (a broken database is a server error) but never leak a stack trace.
 */
import { getDb, type Database } from '@/db/client';
import { env } from '@/lib/env';
import type { HttpSource } from './chaos';
import { injectFault } from './fault-injection';
import { notFound, type Parsed } from '@/lib/http/responses';

export interface DemoRouteDefinition<T> {
  /** The source whose fault injection applies; none for read-only views such as the Slack message list. */
  source?: HttpSource;
  parse(request: Request): Parsed<T> | Promise<Parsed<T>>;
  handle(input: T, db: Database): Promise<Response>;
}

export function demoRoute<T>(definition: DemoRouteDefinition<T>): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!env().DEMO_SOURCES) return notFound('the demo source systems are disabled (DEMO_SOURCES=off)');
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
