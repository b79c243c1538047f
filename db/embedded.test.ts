/**
 * The embedded PostgreSQL launcher after a crash: a launcher killed with SIGKILL leaves its server running and
 * its postmaster.pid behind; the next start must shut that leftover down and come up on the same data.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, processAlive, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

const dataDir = path.join(os.tmpdir(), `nightshift-embedded-test-${process.pid}`);
let restarted: EmbeddedPostgres | undefined;

afterAll(async () => {
  await restarted?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL launcher', () => {
  it('starts again after its launcher was killed with SIGKILL, on the same data', async () => {
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'db/testing/embedded-child.ts', dataDir, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready (\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`launcher exited early (${code})`)));
    });
    await query(url, 'CREATE TABLE survives (id int); INSERT INTO survives VALUES (42)');

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const leftoverPid = Number.parseInt(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8'), 10);
    expect(processAlive(leftoverPid)).toBe(true);

    restarted = await startEmbeddedPostgres({ dataDir, port, durable: false });
    expect(processAlive(leftoverPid)).toBe(false);
    const rows = await query(restarted.url, 'SELECT id FROM survives');
    expect(rows.rows).toEqual([{ id: 42 }]);
  }, 120_000);
});
