/**
 * A standalone worker for multi-process tests: `node --import tsx worker-process.ts`.
 * Settings by env: TEST_DATABASE_URL, TEST_WORKER_ID, TEST_CONCURRENCY, TEST_LEASE_MS, TEST_HEARTBEAT_MS,
 * TEST_POLL_MS, TEST_GRACE_MS, TEST_MAX_LOST_ATTEMPTS, TEST_VERBOSE (1: info lines too). Prints "ready" once started;
 * SIGTERM/SIGINT stop it gracefully.
 */
import { createPool } from '@/db/client';
import { createWorker } from '@/lib/engine';
import { buildTestRegistry } from './pipelines';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('TEST_DATABASE_URL is required');
const concurrency = setting('TEST_CONCURRENCY', 4);
const verbose = process.env.TEST_VERBOSE === '1';
const db = createPool(url, { max: concurrency + 4, applicationName: 'nightshift-test-worker' });
const worker = createWorker({
  db,
  registry: buildTestRegistry(),
  workerId: process.env.TEST_WORKER_ID,
  concurrency,
  leaseMs: setting('TEST_LEASE_MS', 5_000),
  heartbeatMs: setting('TEST_HEARTBEAT_MS', 500),
  pollIntervalMs: setting('TEST_POLL_MS', 500),
  backoff: { baseMs: 50, capMs: 1_000 },
  attemptCaps: { maxLostAttempts: setting('TEST_MAX_LOST_ATTEMPTS', 10), maxRateLimitedAttempts: 20 },
  logger: {
    debug: () => undefined,
    info: (fields, message) => {
      if (verbose) console.error(`[worker ${process.pid}] ${message} ${JSON.stringify(fields)}`);
    },
    warn: (fields, message) => console.error(`[worker ${process.pid}] ${message} ${JSON.stringify(fields)}`),
    error: (fields, message) => console.error(`[worker ${process.pid}] ${message} ${JSON.stringify(fields)}`),
  },
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.stop({ graceMs: setting('TEST_GRACE_MS', 2_000) });
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

await worker.start();
console.log('ready');
