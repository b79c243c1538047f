/**
 * For command-line scripts (seed, migrate, worker, token): the database to use is DATABASE_URL when set,
 * else the embedded server — shared with a running `npm start`, or started for the script's lifetime.
 */
import { startEmbeddedPostgres } from './embedded';
import { runMigrations } from './migrate';

export interface AcquiredDatabase {
  url: string;
  release(): Promise<void>;
}

/** The settings this needs, passed in by the caller (db/ does not read the environment itself). */
export interface DatabaseSettings {
  DATABASE_URL?: string;
  NIGHTSHIFT_DATA_DIR: string;
  EMBEDDED_PG_PORT: number;
}

export async function acquireDatabase(settings: DatabaseSettings, options: { migrate?: boolean } = {}): Promise<AcquiredDatabase> {
  let acquired: AcquiredDatabase;
  if (settings.DATABASE_URL) {
    acquired = { url: settings.DATABASE_URL, release: async () => {} };
  } else {
    const server = await startEmbeddedPostgres({
      dataDir: settings.NIGHTSHIFT_DATA_DIR,
      port: settings.EMBEDDED_PG_PORT,
      durable: true,
    });
    acquired = { url: server.url, release: server.stop };
  }
  if (options.migrate ?? true) await runMigrations(acquired.url);
  return acquired;
}
