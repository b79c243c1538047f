/**
 * A Nightshift worker process for the throughput and hand-off benchmarks: `node --import tsx bench/workers/engine-worker.ts`
 * with an IPC channel. Production timings (lease, heartbeat, poll) as lib/env.ts defaults them.
 */
import { z } from 'zod';
import { createPool } from '@/db/client';
import { createWorker } from '@/lib/engine';
import { buildBenchRegistry } from './bench-pipelines';
import { workerSide } from './protocol';

const settings = z
  .object({
    BENCH_DATABASE_URL: z.string().min(1),
    BENCH_WORKER_ID: z.string().min(1),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1),
    BENCH_CHAIN_LENGTH: z.coerce.number().int().min(2),
  })
  .parse(process.env);

const db = createPool(settings.BENCH_DATABASE_URL, { max: settings.BENCH_CONCURRENCY + 4, applicationName: 'nightshift-bench-worker' });
const side = workerSide({
  start: () => worker.start(),
  async stop() {
    await worker.stop({ graceMs: 5_000 });
    await db.close();
  },
});
const print = (fields: Record<string, unknown>, message: string) => console.error(`[engine worker ${process.pid}] ${message} ${JSON.stringify(fields)}`);
const worker = createWorker({
  db,
  registry: buildBenchRegistry({ chainLength: settings.BENCH_CHAIN_LENGTH, record: side.record }),
  workerId: settings.BENCH_WORKER_ID,
  concurrency: settings.BENCH_CONCURRENCY,
  leaseMs: 30_000,
  heartbeatMs: 5_000,
  pollIntervalMs: 2_000,
  logger: { debug: () => undefined, info: () => undefined, warn: print, error: print },
});
// Open the pool's first connection before `go` (graphile-worker's side does the same), so start-up stays outside the timing.
await db.pool.query('SELECT 1');
await side.ready();
