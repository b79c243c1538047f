/**
 * `npm run bench [-- --quick] [-- --only throughput,handoff-latency,pipeline-at-scale,dashboard-load,cold-start,backfill,history]`
 *   [-- --processes 2 --concurrency 8]   (worker processes × concurrency of the throughput and hand-off benchmarks)
 *
 * Runs the benchmarks of docs/BENCHMARKS.md, each on its own embedded PostgreSQL in a temporary folder (durable
 * settings, as `npm start`), prints one table and writes JSON to bench/results/. A benchmark whose correctness
 * check fails is reported as failed (and the run exits non-zero); the others still run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { freePort } from '@/db/embedded';
import { runBackfillBenchmark } from './backfill';
import { runColdStart } from './cold-start';
import { runDashboardLoad } from './dashboard-load';
import { runHandoffLatency } from './handoff-latency';
import { prepareHistoryDatabase, runHistory, type HistoryDatabase } from './history';
import { runPipelineAtScale, type PipelineAtScaleResult } from './pipeline-at-scale';
import { ensureProductionBuild, holdNextLock, startNextServer, stopProcessGroup, waitForOk } from './support/next-server';
import { runCleanups } from './support/cleanup';
import { machine, round, type BenchmarkReport } from './support/report';
import { queryOnce, startBenchPostgres, type BenchPostgres, type BenchPostgresOptions } from './support/postgres';
import { runThroughput } from './throughput';

const BENCHMARKS = ['throughput', 'handoff-latency', 'pipeline-at-scale', 'dashboard-load', 'cold-start', 'backfill', 'history'] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    // The issue fixes 2 × 8; other values are for experiments (docs/BENCHMARKS.md lists the ones we tried).
    processes: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
  },
  strict: true,
});
const only = z
  .array(z.enum(BENCHMARKS))
  .parse(values.only ? values.only.split(',').map((name) => name.trim()) : [...BENCHMARKS]);
// The dashboard is measured on the snapshot the full-size pipeline run publishes.
if (only.includes('dashboard-load') && !only.includes('pipeline-at-scale')) only.push('pipeline-at-scale');
const quick = values.quick ?? false;

/** Full sizes are the issue's; quick sizes keep the whole run under two minutes. */
const sizes = quick
  ? { tasks: 50, historyTasks: 1_000, throughputRounds: 1, chainLength: 50, orders: [20_000, 40_000], products: 1_000, loadSeconds: 2, historyRuns: [1_000, 10_000] }
  : { tasks: 1_000, historyTasks: 10_000, throughputRounds: 3, chainLength: 200, orders: [500_000, 1_000_000], products: 5_000, loadSeconds: 10, historyRuns: [1_000, 100_000, 1_000_000] };
const DAYS = 90;
const CONNECTIONS = 20;
/** The history benchmark's load: the issue's 10 connections. */
const HISTORY_CONNECTIONS = 10;
/** "Flat when the data doubles": the larger run's peak RSS within this factor of the smaller one's. */
const FLAT_RSS_FACTOR = 1.1;
const PROCESSES = z.coerce.number().int().min(1).max(16).parse(values.processes);
const CONCURRENCY = z.coerce.number().int().min(1).max(64).parse(values.concurrency);

const log = (message: string) => console.log(`[bench] ${message}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`[bench] ${signal}: stopping servers and worker processes…`);
    void runCleanups().finally(() => process.exit(130));
  });
}
const reports: BenchmarkReport[] = [];
const failures: { benchmark: BenchmarkName; error: string }[] = [];
let postgresVersion = 'unknown';
const runStarted = performance.now();
const loadAverageAtStart = machine().loadAverage;
let buildSeconds = 0;
/** The 1-minute load average when each benchmark finished: other work on the machine skews the figures. */
const loadAverageAfter: Record<string, number> = {};

async function attempt(name: BenchmarkName, run: () => Promise<BenchmarkReport[]>): Promise<void> {
  if (!only.includes(name)) return;
  log(`${name}…`);
  const started = performance.now();
  try {
    reports.push(...(await run()));
    loadAverageAfter[name] = machine().loadAverage[0] ?? Number.NaN;
    log(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s (load average ${loadAverageAfter[name]})`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push({ benchmark: name, error: message });
    console.error(`[bench] ${name} FAILED: ${message}`);
  }
}

/** `url` with its database replaced by `database`. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withServer<T>(label: string, options: BenchPostgresOptions, run: (server: BenchPostgres) => Promise<T>): Promise<T> {
  const server = await startBenchPostgres(label, options);
  postgresVersion = server.version;
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

await attempt('throughput', () =>
  withServer('throughput', { statementStats: true }, async (server) => [
    await runThroughput({ url: server.url, postmasterPid: server.postmasterPid, tasks: sizes.tasks, historyTasks: sizes.historyTasks, rounds: sizes.throughputRounds, processes: PROCESSES, concurrency: CONCURRENCY }),
  ]),
);
await attempt('handoff-latency', () =>
  withServer('handoff', { commitTimestamps: true, statementStats: true }, async (server) => [
    await runHandoffLatency({ url: server.url, chainLength: sizes.chainLength, processes: PROCESSES, concurrency: CONCURRENCY }),
  ]),
);

/** The full-size pipeline run's database, kept for the dashboard benchmark. */
let published: { server: BenchPostgres; result: PipelineAtScaleResult } | undefined;
await attempt('pipeline-at-scale', async () => {
  const results: PipelineAtScaleResult[] = [];
  for (const [index, orders] of sizes.orders.entries()) {
    const server = await startBenchPostgres(`pipeline-${orders}`);
    postgresVersion = server.version;
    const keep = index === sizes.orders.length - 1 && only.includes('dashboard-load');
    try {
      const result = await runPipelineAtScale({ url: server.url, orders, days: DAYS, customers: orders / 10, products: sizes.products, seed: 42 });
      results.push(result);
      if (keep) published = { server, result };
    } finally {
      if (!keep || !published) await server.stop();
    }
  }
  const [smaller, larger] = results;
  if (!smaller || !larger) throw new Error('the pipeline benchmark needs two sizes');
  // The largest size again with the orders in a second database on the same server (SOURCE_DATABASE_URL).
  const largest = sizes.orders[sizes.orders.length - 1] ?? 0;
  const separate = await withServer(`pipeline-${largest}-separate`, {}, (server) =>
    runPipelineAtScale({ url: server.url, orders: largest, days: DAYS, customers: largest / 10, products: sizes.products, seed: 42, separateOrdersDatabase: true }),
  );
  const growth = larger.workerPeakRssMb / smaller.workerPeakRssMb;
  const memory: BenchmarkReport = {
    benchmark: 'pipeline-memory',
    rows: [{ metric: `worker peak RSS when the orders double (${sizes.orders.join(' → ')})`, value: `${smaller.workerPeakRssMb} → ${larger.workerPeakRssMb} MB (×${round(growth)})` }],
    goals: [{ goal: `worker peak RSS flat when the data doubles (≤ ×${FLAT_RSS_FACTOR})`, measured: `×${round(growth)}`, met: growth <= FLAT_RSS_FACTOR }],
    details: { orders: sizes.orders, peakRssMb: [smaller.workerPeakRssMb, larger.workerPeakRssMb], growth: round(growth, 3) },
  };
  return [...results.map((result) => result.report), separate.report, memory];
});

/**
 * The history benchmark's databases, one per size on one server, seeded before the shared Next lock is taken (the
 * million-run seeding takes minutes that nobody else's build or browser test should wait for).
 */
let history: { server: BenchPostgres; databases: HistoryDatabase[] } | undefined;
if (only.includes('history')) {
  try {
    const server = await startBenchPostgres('history');
    postgresVersion = server.version;
    // Seeding a million runs writes ~15M rows: with the default 1 GB of WAL between checkpoints it checkpoints every
    // few seconds. Reloadable, and the measured reads do not depend on it.
    await queryOnce(server.url, `ALTER SYSTEM SET max_wal_size = '8GB'`);
    await queryOnce(server.url, 'SELECT pg_reload_conf()');
    const databases: HistoryDatabase[] = [];
    history = { server, databases };
    for (const size of sizes.historyRuns) {
      const name = `history_${size}`;
      await queryOnce(withDatabase(server.url, 'postgres'), `CREATE DATABASE ${name} TEMPLATE bench`);
      log(`history: seeding ${size} runs…`);
      databases.push(await prepareHistoryDatabase(withDatabase(server.url, name), size));
    }
  } catch (error) {
    failures.push({ benchmark: 'history', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    console.error(`[bench] history seeding FAILED: ${String(error)}`);
    await history?.server.stop();
    history = undefined;
  }
}

if (only.includes('dashboard-load') || only.includes('cold-start') || history !== undefined) {
  log('waiting for the shared Next lock (/tmp/nightshift-next.lock)…');
  const lock = await holdNextLock();
  try {
    buildSeconds = round(ensureProductionBuild(), 1);
    if (buildSeconds > 0) log(`built the app in ${buildSeconds} s`);
    await attempt('dashboard-load', async () => {
      if (!published) throw new Error('no published snapshot: the pipeline benchmark failed');
      const { server, result } = published;
      const port = await freePort();
      const next = startNextServer({ port, databaseUrl: server.url });
      try {
        const baseUrl = `http://127.0.0.1:${port}`;
        await waitForOk(`${baseUrl}/api/health/live`, { accept: () => true, timeoutMs: 120_000 });
        return [
          await runDashboardLoad({
            databaseUrl: server.url,
            baseUrl,
            connections: CONNECTIONS,
            durationSeconds: sizes.loadSeconds,
            expected: { taskId: result.taskId, customers: result.customers, products: result.products, windowEnd: result.windowEnd },
            includePage: true,
            processes: next.pid ? { nextGroupId: next.pid, postmasterPid: server.postmasterPid } : undefined,
          }),
        ];
      } finally {
        await stopProcessGroup(next);
      }
    });
    await attempt('cold-start', async () => [await runColdStart()]);
    await attempt('history', async () => {
      if (!history) throw new Error('no history databases: seeding failed');
      const { databases } = history;
      return [
        await runHistory({
          databases,
          connections: HISTORY_CONNECTIONS,
          // A page render takes ~0.1-0.5 s on a busy 2-core machine: 2 s of load at 10 connections may finish none.
          durationSeconds: quick ? 5 : sizes.loadSeconds,
          warmUpSeconds: quick ? 2 : 3,
          includePages: true,
          async serve(databaseUrl) {
            const port = await freePort();
            const next = startNextServer({ port, databaseUrl });
            const baseUrl = `http://127.0.0.1:${port}`;
            await waitForOk(`${baseUrl}/api/health/live`, { accept: () => true, timeoutMs: 120_000 });
            return { baseUrl, stop: () => stopProcessGroup(next) };
          },
        }),
      ];
    });
  } finally {
    await lock.release();
  }
}
await published?.server.stop();
await history?.server.stop();
// The default data size is the point of this one: --quick runs it as it is.
await attempt('backfill', () => withServer('backfill', {}, async (server) => [await runBackfillBenchmark({ url: server.url })]));

const totalSeconds = (performance.now() - runStarted) / 1000;
const environment = {
  date: new Date().toISOString(),
  quick,
  machine: machine(),
  loadAverageAtStart,
  loadAverageAfter,
  postgres: postgresVersion,
  buildSeconds,
  totalSeconds: Math.round(totalSeconds),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
};

console.log('');
console.table(reports.flatMap((report) => report.rows.map((row) => ({ benchmark: report.benchmark, metric: row.metric, value: row.value }))));
console.table(reports.flatMap((report) => report.goals.map((goal) => ({ goal: goal.goal, measured: goal.measured, met: goal.met ? 'yes' : 'NO' }))));
log(`${environment.date} · ${environment.machine.cores} cores, ${environment.machine.memoryGiB} GiB · PostgreSQL ${postgresVersion} · ${quick ? 'quick' : 'full'} run in ${environment.totalSeconds} s`);

const resultsDir = path.join(process.cwd(), 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const suffix = quick ? '-quick' : '';
for (const report of reports) {
  writeFileSync(path.join(resultsDir, `${report.benchmark}${suffix}.json`), `${JSON.stringify({ ...environment, ...report }, null, 2)}\n`);
}
writeFileSync(path.join(resultsDir, `summary${suffix}.json`), `${JSON.stringify({ ...environment, reports, failures }, null, 2)}\n`);
writeFileSync(path.join(resultsDir, `summary${suffix}.md`), markdownSummary());

/** The tables for docs/BENCHMARKS.md, so the document quotes the run verbatim. */
function markdownSummary(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const lines = [
    `Run: \`${environment.command}\` · ${environment.date} · ${environment.machine.cores} cores (${environment.machine.cpu}), ${environment.machine.memoryGiB} GiB · ` +
      `Node ${environment.machine.node} · PostgreSQL ${environment.postgres} (embedded, durable settings) · ` +
      `load average at start ${environment.loadAverageAtStart.join(' / ')}, after each benchmark ` +
      `${Object.entries(environment.loadAverageAfter).map(([name, load]) => `${name} ${load}`).join(', ')} · ${environment.totalSeconds} s in all`,
    '',
    '| benchmark | measure | result |',
    '| --- | --- | --- |',
    ...reports.flatMap((report) => report.rows.map((row) => `| ${report.benchmark} | ${cell(row.metric)} | ${cell(row.value)} |`)),
    '',
    '| goal | measured | met |',
    '| --- | --- | --- |',
    ...reports.flatMap((report) => report.goals.map((goal) => `| ${cell(goal.goal)} | ${cell(goal.measured)} | ${goal.met ? 'yes' : '**no**'} |`)),
    ...(failures.length > 0 ? ['', `Failed: ${failures.map((failure) => failure.benchmark).join(', ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
if (failures.length > 0) {
  console.error(`[bench] ${failures.length} benchmark(s) failed: ${failures.map((failure) => failure.benchmark).join(', ')}`);
  process.exit(1);
}
