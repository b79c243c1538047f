/**
 * The one place that opens PostgreSQL connections. It is given the connection string rather than reading the
 * settings itself, so db/ depends on nothing above it: `createPool` serves everything that needs its own pool
 * (tests, workers, scripts), and lib/database.ts builds the process-wide handle from the parsed settings.
 */
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema';

export type Database = NodePgDatabase<typeof schema>;

export interface DbHandle {
  pool: pg.Pool;
  db: Database;
  close(): Promise<void>;
}

// numeric and bigint come back as strings by default; int8 counts fit in JS numbers for our sizes,
// numeric money stays a string so no precision is lost before it reaches the UI.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** A drizzle handle over a pool someone else owns (read models that are handed a pool). */
export function databaseOn(pool: pg.Pool): Database {
  return drizzle(pool, { schema });
}

export function createPool(connectionString: string, options: { max?: number; applicationName?: string } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'nightshift',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its server (restart, admin shutdown) emits 'error' on the pool.
  // Without a listener that is an uncaught exception; the pool already discards the client.
  pool.on('error', (error) => {
    console.warn(`[db] idle connection lost: ${error.message}`);
  });
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}
