/**
 * Applies drizzle-kit's generated migrations (drizzle/) under a PostgreSQL advisory lock, so any number
 * of processes may start at once: the first migrates, the others wait and then find nothing to do.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

// Arbitrary but fixed: the key every Nightshift process uses for the migration lock.
const MIGRATION_LOCK_KEY = 7_432_117_001;

export async function runMigrations(connectionString: string, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  const client = new pg.Client({ connectionString, application_name: 'nightshift-migrate' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** How many migrations drizzle/ holds, for the readiness check. */
export function expectedMigrationCount(migrationsFolder = MIGRATIONS_FOLDER): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}
