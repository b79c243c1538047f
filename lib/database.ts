/**
 * The process-wide database handle of the web server and CLI scripts, from DATABASE_URL. Cached on globalThis so
 * Next's hot reload does not leak pools.
 */
import { createPool, type DbHandle } from '@/db/client';
import { env } from '@/lib/env';

const globalForDb = globalThis as typeof globalThis & { nightshiftDb?: DbHandle };

export function requireDatabaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set. Start Nightshift with `npm start` (it runs an embedded PostgreSQL) or set DATABASE_URL.');
  }
  return url;
}

export function getDb(): DbHandle {
  globalForDb.nightshiftDb ??= createPool(requireDatabaseUrl(), { max: 20, applicationName: 'nightshift-web' });
  return globalForDb.nightshiftDb;
}
