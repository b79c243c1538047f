/**
 * `npm start` in a container: npm is PID 1 and SIGTERM goes to the npm process alone. The script execs the runtime
 * (scripts/start.ts), which stops Next (and with it the in-process worker, releasing what it runs) and then the
 * embedded PostgreSQL: every process npm started is gone within the grace period. A fresh data folder and ports of its
 * own, so it shares nothing with the e2e server. Here and not in vitest because `npm start` needs the production
 * build, which the e2e phase has.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '@/db/embedded';
import { descendants, isAlive } from '@/tests/setup/processes';

test('SIGTERM to the npm process of `npm start` stops Next and the embedded PostgreSQL, leaving no process behind', async () => {
  // First start: initdb, migrations and the demo data set.
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-npm-start-'));
  const [port, postgresPort] = [await freePort(), await freePort()];
  const npm = spawn('npm', ['start'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      NIGHTSHIFT_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(postgresPort),
      SCHEDULER_ENABLED: 'false',
      WORKER_SHUTDOWN_GRACE_MS: '2000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await expect
      .poll(
        async () => {
          if (npm.exitCode !== null) throw new Error(`npm start exited before it was ready:\n${output}`);
          return (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => undefined))?.status;
        },
        { timeout: 150_000, intervals: [250] },
      )
      .toBe(200);
    const started = descendants(npm.pid ?? -1);
    // The runtime, Next's server and PostgreSQL with its background processes at least.
    expect(started.length, `processes npm started:\n${output}`).toBeGreaterThanOrEqual(4);

    const signalledAt = Date.now();
    npm.kill('SIGTERM');
    await expect.poll(() => [npm.pid ?? -1, ...started].filter(isAlive), { timeout: 20_000, intervals: [100] }).toEqual([]);
    console.log(`npm start: ${started.length} processes gone ${Date.now() - signalledAt} ms after SIGTERM`);
    expect(output).toContain('stopping embedded PostgreSQL');
  } finally {
    if (npm.exitCode === null) npm.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
