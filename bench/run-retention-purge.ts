/**
 * `npx tsx bench/run-retention-purge.ts [-- --runs 20000]`: how fast run retention deletes history, and how long each
 * batch (one transaction, 1,000 runs) holds its locks.
 *
 * Seeds that many finished runs of the throughput benchmark's 10-step graph (seedFinishedHistory: half failed with
 * retries, every step with its attempts, plus a task.completed event each) 100+ days old on a fresh durable embedded
 * PostgreSQL, then runs the purge the dispatcher runs hourly (RUN_RETENTION_DAYS = 100) and checks nothing is left.
 */
import { parseArgs } from 'node:util';
import { createPool } from '@/db/client';
import { purgeHistory } from '@/lib/engine';
import { seedFinishedHistory } from '@/lib/engine/test-fixtures/history';
import { check } from './support/report';
import { startBenchPostgres } from './support/postgres';
import { buildBenchRegistry, FANOUT_PIPELINE } from './workers/bench-pipelines';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20000' } }, strict: true });
const runs = Number.parseInt(values.runs, 10);

const server = await startBenchPostgres('run-retention');
const db = createPool(server.url, { max: 4, applicationName: 'nightshift-bench' });
try {
  const registry = buildBenchRegistry({ chainLength: 2 });
  await seedFinishedHistory(db.pool, registry.require(FANOUT_PIPELINE.namespace, FANOUT_PIPELINE.name), runs);
  await db.pool.query(
    `UPDATE tasks SET created_at = created_at - interval '100 days', completed_at = completed_at - interval '100 days',
                      updated_at = now() - interval '100 days'`,
  );
  await db.pool.query(`INSERT INTO task_events (task_id, name, payload, created_at) SELECT id, 'task.completed', '{}', completed_at FROM tasks`);
  await db.pool.query('UPDATE event_fanout SET last_event_id = (SELECT max(id) FROM task_events) WHERE id = 1');
  await db.pool.query('VACUUM ANALYZE');
  const count = async () =>
    (await db.pool.query<{ rows: string }>(`SELECT ((SELECT count(*) FROM tasks) + (SELECT count(*) FROM steps) + (SELECT count(*) FROM step_attempts) + (SELECT count(*) FROM task_events))::text AS rows`)).rows[0]?.rows;
  const seeded = await count();

  const batchMs: number[] = [];
  const ignore = () => undefined;
  const started = performance.now();
  const purged = await purgeHistory(db.pool, {
    retentionDays: 365,
    runRetentionDays: 100,
    logger: { debug: ignore, warn: ignore, error: ignore, info: (fields) => void (typeof fields.batchMs === 'number' && batchMs.push(fields.batchMs)) },
  });
  const seconds = (performance.now() - started) / 1000;
  check(purged.runs === runs, `purged ${purged.runs} of ${runs} runs`);
  check((await count()) === '0', 'rows of purged runs are left');
  batchMs.sort((a, b) => a - b);
  console.log(
    `purged ${purged.runs} runs (${seeded} rows in tasks, steps, step_attempts, task_events) in ${seconds.toFixed(2)} s = ${Math.round(purged.runs / seconds)} runs/s; ` +
      `${batchMs.length} batches, each ${batchMs[0]}–${batchMs[batchMs.length - 1]} ms (median ${batchMs[Math.floor(batchMs.length / 2)]} ms)`,
  );
} finally {
  await db.close();
  await server.stop();
}
