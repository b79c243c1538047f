/**
 * Vitest global setup: one PostgreSQL for the whole run (embedded in a temp folder, or the server in
 * DATABASE_URL), with a template database migrated once. Each test file clones it (tests/setup/database.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, ensureDatabase, freePort } from '../../db/embedded';
import { runMigrations } from '../../db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}


export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  const externalUrl = process.env.DATABASE_URL;
  let adminUrl: string;
  let stopServer = async () => {};
  let scratch: string | undefined;

  if (externalUrl) {
    adminUrl = withDatabase(externalUrl, 'postgres');
    console.log(`[tests] using the PostgreSQL in DATABASE_URL (${new URL(externalUrl).host})`);
  } else {
    scratch = path.join(os.tmpdir(), `nightshift-test-${process.pid}`);
    mkdirSync(scratch, { recursive: true, mode: 0o755 });
    const server = await startEmbeddedPostgres({ dataDir: scratch, port: await freePort(), durable: false });
    adminUrl = server.adminUrl;
    stopServer = server.stop;
    console.log(`[tests] embedded PostgreSQL at ${new URL(adminUrl).host}`);
  }

  const templateDatabase = `nightshift_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.end();
  await ensureDatabase(adminUrl, templateDatabase);
  await runMigrations(withDatabase(adminUrl, templateDatabase));

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    const leftovers = await cleanup.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`nightshift_t${process.pid}_%`, templateDatabase],
    );
    for (const { datname } of leftovers.rows) {
      await cleanup.query(`DROP DATABASE IF EXISTS ${cleanup.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await cleanup.end();
    await stopServer();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}
