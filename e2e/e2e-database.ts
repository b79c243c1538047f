/**
 * A direct connection to the e2e server's embedded PostgreSQL, so specs can compare the pages with the rows
 * themselves. playwright.config.ts records the data folder and port in process.env; the launcher keeps the
 * password in that folder's embedded-postgres.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPool, type DbHandle } from '@/db/client';

export function e2eDatabaseUrl(): string {
  const dataDir = process.env.NIGHTSHIFT_E2E_DATA_DIR;
  const port = process.env.NIGHTSHIFT_E2E_PG_PORT;
  if (!dataDir || !port) throw new Error('NIGHTSHIFT_E2E_DATA_DIR / NIGHTSHIFT_E2E_PG_PORT are unset: run through playwright.config.ts');
  const { password } = JSON.parse(readFileSync(path.join(dataDir, 'embedded-postgres.json'), 'utf8')) as { password: string };
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/nightshift`;
}

export function openE2eDatabase(): DbHandle {
  return createPool(e2eDatabaseUrl(), { max: 3, applicationName: 'nightshift-e2e' });
}
