/**
 * A graphile-worker process for the throughput benchmark, the counterpart of engine-worker.ts: the same
 * concurrency and the same database, one no-op task, its default settings except logging (warnings and errors
 * only, as the Nightshift worker logs; graphile-worker would otherwise print a line per job).
 */
import { Logger, run, type Runner } from 'graphile-worker';
import pg from 'pg';
import { z } from 'zod';
import { wallClockMs, workerSide } from './protocol';

const settings = z
  .object({
    BENCH_DATABASE_URL: z.string().min(1),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1),
  })
  .parse(process.env);

const payloadSchema = z.object({ i: z.number().int() });

// The same pool size as the Nightshift worker's, opened before `go` like it, so start-up stays outside the timing.
const pool = new pg.Pool({ connectionString: settings.BENCH_DATABASE_URL, max: settings.BENCH_CONCURRENCY + 4 });
pool.on('error', (error) => console.error(`[graphile worker ${process.pid}] idle connection lost: ${error.message}`));
// graphile-worker warns unless checked-out clients have an error listener too.
pool.on('connect', (client) => client.on('error', (error) => console.error(`[graphile worker ${process.pid}] connection lost: ${error.message}`)));
let runner: Runner | undefined;
const side = workerSide({
  async start() {
    runner = await run({
      pgPool: pool,
      concurrency: settings.BENCH_CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger: new Logger(() => (level, message) => {
        if (level === 'error' || level === 'warning') console.error(`[graphile worker ${process.pid}] ${level}: ${message}`);
      }),
      taskList: {
        noop: async (payload, helpers) => {
          const startedAt = wallClockMs();
          const { i } = payloadSchema.parse(payload);
          side.record({ key: `job/${i}`, attempt: helpers.job.attempts, startedAt, finishedAt: wallClockMs() });
        },
      },
    });
  },
  async stop() {
    await runner?.stop();
    await pool.end();
  },
});
await pool.query('SELECT 1');
await side.ready();
