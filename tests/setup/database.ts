/**
 * A fresh database per test file, cloned from the migrated template (fast: a file copy on the server).
 * Usage: `const testDb = await createTestDatabase();` in beforeAll, `await testDb.drop()` in afterAll.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // The global setup's pid is part of the template name; reuse it so its teardown finds our leftovers.
  const runId = inject('templateDatabase').replace('nightshift_template_', '');
  const name = `nightshift_t${runId}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`));
  const url = withDatabase(inject('adminUrl'), name);
  const handle = createPool(url, { max: 10, applicationName: 'nightshift-test' });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
