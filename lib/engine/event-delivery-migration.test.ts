/**
 * Migration 0019 carries the per-subscriber cursors over: a database migrated up to 0018 gets outbox rows and two
 * cursors (one part-way, one at the start), is migrated to the latest version, and then a dispatcher delivers
 * exactly the events each cursor had not passed — none twice — and everything written afterwards.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';
import { MIGRATIONS_FOLDER, runMigrations } from '@/db/migrate';
import { createEventDispatcher, type DeliveredEvent, type EventDispatcher } from '@/lib/engine';
import { quietLogger, waitFor, sleep } from './test-fixtures/harness';

const adminUrl = () => inject('adminUrl');
const database = `nightshift_events_migration_${process.pid}_${Date.now()}`;
const urlOf = (name: string) => {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
};
let oldFolder = '';
let db: DbHandle | undefined;
let dispatcher: EventDispatcher | undefined;

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
  oldFolder = mkdtempSync(path.join(os.tmpdir(), 'nightshift-migrations-cursors-'));
  cpSync(MIGRATIONS_FOLDER, oldFolder, { recursive: true });
  const journalFile = path.join(oldFolder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag === '0019_event_deliveries');
  expect(cut).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  await dispatcher?.stop();
  await db?.close();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(oldFolder, { recursive: true, force: true });
});

describe('event delivery migration', () => {
  it('delivers what each old cursor had not passed, and nothing it had', async () => {
    await runMigrations(urlOf(database), oldFolder);
    const client = new pg.Client({ connectionString: urlOf(database) });
    await client.connect();
    const eventIds: number[] = [];
    let taskId = '';
    try {
      taskId = (
        await client.query<{ id: string }>(
          `INSERT INTO tasks (namespace, name, version, status, context, initiator) VALUES ('m', 'etl', '1', 'running', '{}', 'test') RETURNING id`,
        )
      ).rows[0]!.id;
      const names = ['task.started', 'step.started', 'step.completed', 'step.started', 'step.failed'];
      for (const name of names) {
        const row = await client.query<{ id: string }>(
          `INSERT INTO task_events (task_id, name, step_name, payload) VALUES ($1, $2, 's', '{}') RETURNING id`,
          [taskId, name],
        );
        eventIds.push(Number(row.rows[0]!.id));
      }
      // The monitor had handled the first three events; a second subscriber none.
      await client.query(
        `INSERT INTO event_cursors (subscriber, last_txid, last_event_id)
         SELECT 'pipeline-monitor', txid, id FROM task_events WHERE id = $1
         UNION ALL SELECT 'audit-feed', '0'::xid8, 0`,
        [eventIds[2]],
      );
    } finally {
      await client.end();
    }

    await runMigrations(urlOf(database));
    db = createPool(urlOf(database), { max: 4 });
    const columns = await db.pool.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'task_events' AND column_name = 'txid'`);
    expect(columns.rowCount).toBe(0);
    const cursors = await db.pool.query(`SELECT to_regclass('event_cursors') IS NULL AS gone`);
    expect(cursors.rows[0]).toEqual({ gone: true });

    const received: { subscriber: string; event: DeliveredEvent }[] = [];
    const subscriber = (name: string, events: DeliveredEvent['name'][]) => ({
      name,
      events,
      // The monitor starts at the latest event on a fresh install; carried over, it keeps its place instead.
      startAt: 'latest' as const,
      handle: async (event: DeliveredEvent) => void received.push({ subscriber: name, event }),
    });
    dispatcher = createEventDispatcher({
      db,
      subscribers: [subscriber('pipeline-monitor', ['step.started', 'step.failed', 'step.completed']), subscriber('audit-feed', ['task.started', 'step.failed'])],
      pollIntervalMs: 100,
      logger: quietLogger,
    });
    await dispatcher.start();
    const after = await db.pool.query<{ id: string }>(
      `INSERT INTO task_events (task_id, name, step_name, payload) VALUES ($1, 'step.failed', 's', '{}') RETURNING id`,
      [taskId],
    );
    const afterId = Number(after.rows[0]!.id);
    await waitFor('the new event delivered to both', async () => received.filter((item) => item.event.id === afterId).length === 2);
    await sleep(300);

    const idsFor = (name: string) => received.filter((item) => item.subscriber === name).map((item) => item.event.id);
    expect(idsFor('pipeline-monitor')).toEqual([eventIds[3], eventIds[4], afterId]);
    expect(idsFor('audit-feed')).toEqual([eventIds[0], eventIds[4], afterId]);
  });
});
