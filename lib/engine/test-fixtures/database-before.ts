/**
 * A database migrated up to just before one migration, for upgrade tests: give it the rows an older engine left,
 * then migrate it to the latest version and check what the upgrade made of them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '@/db/migrate';

export interface DatabaseBefore {
  url: string;
  /** Applies every migration (the one the database stopped before, and all after it). */
  migrateToLatest(): Promise<void>;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new database with every migration before `tag` applied (drizzle/ as it was then: the journal cut there). */
export async function createDatabaseBefore(tag: string): Promise<DatabaseBefore> {
  const oldFolder = mkdtempSync(path.join(os.tmpdir(), 'nightshift-migrations-before-'));
  cpSync(MIGRATIONS_FOLDER, oldFolder, { recursive: true });
  const journalFile = path.join(oldFolder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag === tag);
  if (cut <= 0) throw new Error(`No migration ${tag} after the first in drizzle/meta/_journal.json`);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  const name = `nightshift_before_${tag.slice(0, 4)}_${process.pid}_${Date.now()}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(inject('adminUrl'));
  url.pathname = `/${name}`;
  await runMigrations(url.toString(), oldFolder);
  return {
    url: url.toString(),
    migrateToLatest: () => runMigrations(url.toString()),
    async drop() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(oldFolder, { recursive: true, force: true });
    },
  };
}
