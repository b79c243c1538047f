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

/**
 * Asks the server to probe each of our connections after 5 s of silence (every 2 s, 3 times): a client host that
 * vanished — power loss, network partition — sends no FIN or RST, and without probes its backend stays "idle in
 * transaction" for hours (the OS default is 2 h of idle), holding its row locks. A worker cut off while a step
 * handler held its fence (assertCurrentAttempt's share lock) would then keep its step from being recovered by
 * another worker for that long. With probes the server ends that backend about 11 s after the silence began, well
 * within a lease. Sent as startup options, so a pooler in front must pass `options` through.
 */
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3';

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
    options: SERVER_KEEPALIVES,
  });
  // An idle client that loses its server (restart, admin shutdown) emits 'error' on the pool.
  // Without a listener that is an uncaught exception; the pool already discards the client.
  pool.on('error', (error) => {
    console.warn(`[db] idle connection lost: ${error.message}`);
  });
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}
