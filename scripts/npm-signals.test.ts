/**
 * `npm run worker` in a container: npm is PID 1 and SIGTERM goes to the npm process alone. The script execs the
 * runtime (no shell or tsx wrapper in between), so the signal reaches the worker, which stops gracefully and every
 * process npm started is gone well within WORKER_SHUTDOWN_GRACE_MS. That the worker releases in-flight steps without
 * spending their budget on SIGTERM is lib/engine/multi-process.test.ts; `npm start` is e2e/npm-start.spec.ts (it
 * needs the production build).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { descendants, isAlive } from '@/tests/setup/processes';
import { waitFor } from '@/tests/setup/wait';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe('signals through npm', () => {
  it('SIGTERM to the npm process of `npm run worker` stops the worker gracefully, leaving no process behind', async () => {
    const npm = spawn('npm', ['run', 'worker'], {
      env: { ...process.env, DATABASE_URL: testDb.url, SCHEDULER_ENABLED: 'false', WORKER_SHUTDOWN_GRACE_MS: '3000', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the worker to run', async () => output.includes('standalone worker running'), 60_000);
    const started = descendants(npm.pid!);
    expect(started.length).toBeGreaterThan(0);

    npm.kill('SIGTERM');
    await waitFor('every process npm started to exit', async () => [npm.pid!, ...started].every((pid) => !isAlive(pid)), 8_000);
    expect(output).toContain('stopping: finishing in-flight steps');
    // A graceful stop records itself (a killed worker would leave only a stale heartbeat).
    const workers = await testDb.pool.query(`SELECT count(*)::int AS n FROM workers WHERE stopped_at IS NOT NULL`);
    expect(workers.rows[0]?.n).toBe(1);
  }, 90_000);
});
