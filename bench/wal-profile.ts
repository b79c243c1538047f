/**
 * `npx tsx bench/wal-profile.ts [-- --tasks 300]`: where the engine's write volume goes, per step and per run.
 *
 * Launches that many tasks of the throughput benchmark's 10-step graph on a fresh durable embedded PostgreSQL, runs
 * them with two in-process workers × 8, and reads the WAL written between go and done with pg_walinspect: bytes per
 * step by record type and by relation (table or index). Then, after VACUUM, the bytes each run leaves stored in the
 * engine's tables (heap and indexes). Unlike `npm run bench -- --only throughput` it does not time anything, so its
 * byte figures are steady from run to run; use it to see what a storage change saves before timing it.
 */
import { parseArgs } from 'node:util';
import { createPool } from '@/db/client';
import { createWorker, launchTask } from '@/lib/engine';
import { startBenchPostgres } from './support/postgres';
import { buildBenchRegistry, FANOUT_PIPELINE, FANOUT_STEPS } from './workers/bench-pipelines';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '300' } }, strict: true });
const tasks = Number.parseInt(values.tasks, 10);
const ENGINE_TABLES = ['tasks', 'steps', 'step_attempts', 'task_events'];
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const server = await startBenchPostgres('wal-profile');
const db = createPool(server.url, { max: 8, applicationName: 'nightshift-wal-profile' });
try {
  await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  const registry = buildBenchRegistry({ chainLength: 2 });
  for (let index = 0; index < tasks; index += 1) await launchTask(db, registry, { ...FANOUT_PIPELINE, context: {}, initiator: 'bench' });
  await db.pool.query(`VACUUM (ANALYZE) ${ENGINE_TABLES.join(', ')}`);
  const lsn = async () => (await db.pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]?.lsn ?? '0/0';

  const go = await lsn();
  const workers = [0, 1].map((index) =>
    createWorker({ db, registry, workerId: `wal-profile-${index}`, concurrency: 8, leaseMs: 30_000, heartbeatMs: 5_000, pollIntervalMs: 50, logger: quiet }),
  );
  for (const worker of workers) await worker.start();
  for (;;) {
    const { rows } = await db.pool.query<{ left: number }>(`SELECT count(*)::int AS left FROM tasks WHERE status <> 'completed'`);
    if (rows[0]?.left === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const done = await lsn();
  await Promise.all(workers.map((worker) => worker.stop({ graceMs: 1_000 })));

  const steps = tasks * FANOUT_STEPS;
  const { rows: [total] = [] } = await db.pool.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text AS bytes', [go, done]);
  console.log(`WAL per step: ${Math.round(Number(total?.bytes) / steps)} B (${steps} steps, ${tasks} tasks)`);
  const { rows: byType } = await db.pool.query(
    `SELECT "resource_manager/record_type" AS record, round(count::numeric / $3, 2) AS per_step,
            round(combined_size::numeric / $3) AS bytes_per_step, round(fpi_size::numeric / $3) AS fpi_bytes_per_step
       FROM pg_get_wal_stats($1::pg_lsn, $2::pg_lsn, true) WHERE count > 0 ORDER BY combined_size DESC LIMIT 12`,
    [go, done, steps],
  );
  console.table(byType);
  const { rows: byRelation } = await db.pool.query(
    `SELECT coalesce(c.relname, '(no relation)') AS relation, round(count(*)::numeric / $3, 2) AS records_per_step,
            round(sum(r.record_length)::numeric / $3) AS bytes_per_step
       FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) r
       LEFT JOIN pg_class c ON c.relfilenode = (regexp_match(r.block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::oid
      GROUP BY 1 ORDER BY 3 DESC LIMIT 16`,
    [go, done, steps],
  );
  console.table(byRelation);

  await db.pool.query(`VACUUM ${ENGINE_TABLES.join(', ')}`);
  const { rows: stored } = await db.pool.query<{ relation: string; heap: string; indexes: string }>(
    `SELECT c::text AS relation, pg_table_size(c)::text AS heap, pg_indexes_size(c)::text AS indexes FROM unnest($1::regclass[]) AS c`,
    [ENGINE_TABLES],
  );
  console.table(stored.map((row) => ({ relation: row.relation, heap_bytes_per_run: Math.round(Number(row.heap) / tasks), index_bytes_per_run: Math.round(Number(row.indexes) / tasks) })));
  const sum = (key: 'heap' | 'indexes') => stored.reduce((bytes, row) => bytes + Number(row[key]), 0) / tasks / 1024;
  console.log(`stored per run: ${sum('heap').toFixed(1)} kB heap + ${sum('indexes').toFixed(1)} kB indexes = ${(sum('heap') + sum('indexes')).toFixed(1)} kB`);
} finally {
  await db.close();
  await server.stop();
}
