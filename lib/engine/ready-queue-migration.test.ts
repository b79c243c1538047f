/**
 * The ready-queue migration converts a first-version database: it is migrated up to the version before the ready
 * queue, given first-version rows (a failed task whose downstream steps waited as pending for ever, a running task,
 * a cancelled task), then migrated to the latest version and checked.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '@/db/migrate';

const adminUrl = () => inject('adminUrl');
const database = `nightshift_migration_${process.pid}_${Date.now()}`;
const urlOf = (name: string) => {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
};
let oldFolder = '';

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  // drizzle/ as it was before the ready queue: the same files, with the journal cut before 0008.
  oldFolder = mkdtempSync(path.join(os.tmpdir(), 'nightshift-migrations-v1-'));
  cpSync(MIGRATIONS_FOLDER, oldFolder, { recursive: true });
  const journalFile = path.join(oldFolder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag === '0008_engine_ready_queue');
  expect(cut).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(oldFolder, { recursive: true, force: true });
});

describe('ready-queue migration', () => {
  it('blocks what waited behind failures, cancels what a cancelled task left, and counts readiness', async () => {
    await runMigrations(urlOf(database), oldFolder);
    const client = new pg.Client({ connectionString: urlOf(database) });
    await client.connect();
    try {
      const task = async (status: string) =>
        (
          await client.query<{ id: string }>(
            `INSERT INTO tasks (namespace, name, version, status, context, initiator) VALUES ('m', 'etl', '1', $1, '{}', 'test') RETURNING id`,
            [status],
          )
        ).rows[0]!.id;
      const step = (taskId: string, name: string, position: number, status: string, dependsOn: string[]) =>
        client.query(
          `INSERT INTO steps (task_id, name, position, depends_on, status, retryable, retry_limit) VALUES ($1, $2, $3, $4, $5, true, 3)`,
          [taskId, name, position, dependsOn, status],
        );
      // a → b → c: b failed for good, c waited as pending for ever (the first version's lingering rows).
      const failed = await task('failed');
      await step(failed, 'a', 0, 'completed', []);
      await step(failed, 'b', 1, 'failed', ['a']);
      await step(failed, 'c', 2, 'pending', ['b']);
      // x → (y, z): x done, y running, z pending but ready.
      const running = await task('running');
      await step(running, 'x', 0, 'completed', []);
      await step(running, 'y', 1, 'running', ['x']);
      await step(running, 'z', 2, 'pending', ['x', 'y']);
      const cancelled = await task('cancelled');
      await step(cancelled, 'p', 0, 'cancelled', []);
      await step(cancelled, 'q', 1, 'pending', ['p']);
    } finally {
      await client.end();
    }

    await runMigrations(urlOf(database));
    const after = new pg.Client({ connectionString: urlOf(database) });
    await after.connect();
    try {
      const steps = await after.query<{ name: string; status: string; waitingFor: number; dependents: string[]; pipeline: string }>(
        `SELECT name, status, waiting_for AS "waitingFor", dependents, pipeline FROM steps ORDER BY name`,
      );
      const byName = Object.fromEntries(steps.rows.map((row) => [row.name, row]));
      expect(byName.c).toMatchObject({ status: 'blocked' });
      expect(byName.b).toMatchObject({ status: 'failed', dependents: ['c'] });
      expect(byName.x).toMatchObject({ dependents: ['y', 'z'], pipeline: 'm/etl@1' });
      expect(byName.z).toMatchObject({ status: 'pending', waitingFor: 1 });
      expect(byName.q).toMatchObject({ status: 'cancelled' });
      const tasks = await after.query<{ status: string; unfinished: number }>(
        `SELECT status, unfinished_steps AS unfinished FROM tasks ORDER BY status`,
      );
      expect(tasks.rows).toEqual([
        { status: 'running', unfinished: 2 },
        { status: 'failed', unfinished: 0 },
        { status: 'cancelled', unfinished: 0 },
      ]);
      const ready = await after.query(`SELECT name FROM steps WHERE status IN ('pending', 'retrying') AND waiting_for = 0`);
      expect(ready.rows).toEqual([]);
    } finally {
      await after.end();
    }
  });
});
