/**
 * A fresh embedded PostgreSQL per benchmark, in its own temporary folder, with `npm start`'s durable settings
 * (fsync on), migrated. Removed on stop, so a benchmark leaves nothing behind.
 */
import { mkdirSync, mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '@/db/embedded';
import { runMigrations } from '@/db/migrate';
import { onInterrupt } from './cleanup';

export interface BenchPostgres {
  url: string;
  version: string;
  /** For CPU accounting (support/processes.ts postgresCpuSeconds). */
  postmasterPid: number;
  /** Stops the server (fast shutdown: every connection is terminated) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** One statement on a connection of its own, closed after it. */
export async function queryOnce<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface BenchPostgresOptions {
  /** track_commit_timestamp = on: lets the hand-off benchmark read the exact commit time of a transaction. */
  commitTimestamps?: boolean;
  /** pg_stat_statements loaded and created: per-statement time, the throughput benchmark's profile. */
  statementStats?: boolean;
}

/** Both options are server-start settings, hence the restart after ALTER SYSTEM. */
export async function startBenchPostgres(label: string, options: BenchPostgresOptions = {}): Promise<BenchPostgres> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `nightshift-bench-${label}-`));
  // mkdtemp makes 0700 folders; the server runs as the postgres user when we are root and must reach it.
  chmodSync(dataDir, 0o755);
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const start = async () => startEmbeddedPostgres({ dataDir, port, durable: true, database: 'bench' });
  let server: EmbeddedPostgres | undefined;
  try {
    server = await start();
    if (options.commitTimestamps) await queryOnce(server.url, 'ALTER SYSTEM SET track_commit_timestamp = on');
    if (options.statementStats) await queryOnce(server.url, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    if (options.commitTimestamps || options.statementStats) {
      await server.stop();
      server = await start();
    }
    if (options.statementStats) await queryOnce(server.url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await runMigrations(server.url);
    const [row] = await queryOnce<{ server_version: string }>(server.url, 'SHOW server_version');
    let running = server;
    const forget = onInterrupt(async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const postmasterPid = Number.parseInt(readFileSync(path.join(running.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return {
      url: running.url,
      version: row?.server_version ?? 'unknown',
      postmasterPid,
      async restart() {
        await running.stop();
        running = await start();
      },
      async stop() {
        forget();
        await running.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
