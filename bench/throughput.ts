/**
 * Benchmark 1 — throughput: N tasks of the 10-step no-op graph (1 → 8 → 1) through the full engine path, against
 * graphile-worker draining 10·N no-op jobs, with the same worker processes × concurrency on the same database.
 *
 * Order: graphile-worker, Nightshift on the empty database, graphile-worker again, Nightshift with finished history;
 * the baseline is both graphile-worker runs together, so a drift of the machine's speed cancels out.
 *
 * Method, identical for both: the whole backlog is enqueued first (not timed; reported separately), the worker
 * processes start and connect, and the clock runs from the moment they are all told to go until the database says
 * everything is done (polled every 20 ms). Then every worker reports what its handlers ran, and we check each step /
 * job ran exactly once. The CPU both sides used in the timed window (worker processes, and the PostgreSQL server's
 * backends) is the profile: on two cores, throughput is bounded by CPU per step. When the server has
 * pg_stat_statements, the statements that took the most time in each timed window are reported too.
 */
import pg from 'pg';
import { makeWorkerUtils, runMigrations as runGraphileMigrations } from 'graphile-worker';
import { createPool } from '@/db/client';
import { launchTask } from '@/lib/engine';
import { check, round, type BenchmarkReport } from './support/report';
import { pollUntil, postgresCpuSeconds, spawnBenchWorker, type BenchWorker } from './support/processes';
import { queryOnce } from './support/postgres';
import { statementProfiler, type StatementProfile } from './support/statements';
import { seedFinishedHistory } from '@/lib/engine/test-fixtures/history';
import { buildBenchRegistry, FANOUT_PIPELINE, FANOUT_STEPS } from './workers/bench-pipelines';
import type { Execution } from './workers/protocol';

export interface ThroughputOptions {
  url: string;
  /** The server's postmaster, for CPU accounting; unknown for an external server (its CPU is then not reported). */
  postmasterPid?: number;
  tasks: number;
  processes: number;
  concurrency: number;
  /** Finished tasks (half of them failed, with blocked downstream steps) added before the second Nightshift run. */
  historyTasks: number;
  /**
   * Rounds of the whole sequence, each on a database emptied of the previous round's tasks; the goals are judged on
   * the medians. One round lasts ~40 s here, and the speed of this shared host swings by ±15% between two 4-second
   * windows, so one round can land on either side of a 10% goal. Default 1.
   */
  rounds?: number;
}

const POLL_MS = 20;
/** Starts the workers, lets them go, waits for `done`, stops them; returns the seconds between go and done. */
async function timedDrain(
  workers: BenchWorker[],
  postmasterPid: number | undefined,
  done: () => Promise<boolean>,
  timeoutMs: number,
  url: string,
): Promise<{
  seconds: number;
  executions: Execution[];
  workerCpuSeconds: number;
  postgresCpuSeconds: number | null;
  statements: StatementProfile | null;
  walBytes: number;
}> {
  const postgresCpu = () => (postmasterPid === undefined ? 0 : postgresCpuSeconds(postmasterPid));
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    const readStatements = await statementProfiler(url);
    const walAtGo = await currentWalLsn(url);
    const postgresCpuAtGo = postgresCpu();
    const started = performance.now();
    for (const worker of workers) worker.go();
    await pollUntil('the backlog to drain', async () => ((await done()) ? true : undefined), { intervalMs: POLL_MS, timeoutMs });
    const seconds = (performance.now() - started) / 1000;
    const postgresCpuUsed = postgresCpu() - postgresCpuAtGo;
    const walBytes = await walBytesSince(url, walAtGo);
    const statements = readStatements ? await readStatements() : null;
    const reports = await Promise.all(workers.map((worker) => worker.stop()));
    return {
      seconds,
      executions: reports.flatMap((report) => report.executions),
      workerCpuSeconds: round(reports.reduce((sum, report) => sum + report.cpuSeconds, 0), 2),
      postgresCpuSeconds: postmasterPid === undefined ? null : round(postgresCpuUsed, 2),
      statements,
      walBytes,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
  }
}

/**
 * The server's WAL insert position: the bytes between two readings are the write volume of the work between them.
 * The insert position, not pg_current_wal_lsn (the write position): with synchronous_commit off, as the test server
 * runs, the write position lags behind by up to the WAL writer's delay, and a short window read 0.
 */
async function currentWalLsn(url: string): Promise<string> {
  return (await queryOnce<{ lsn: string }>(url, 'SELECT pg_current_wal_insert_lsn()::text AS lsn'))[0]?.lsn ?? '0/0';
}

async function walBytesSince(url: string, lsn: string): Promise<number> {
  return Number((await queryOnce<{ bytes: string }>(url, 'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text AS bytes', [lsn]))[0]?.bytes ?? NaN);
}

/** Every table either side writes: the engine's, and graphile-worker's (once its migrations have run). */
const QUEUE_TABLES = [
  'tasks',
  'steps',
  'step_attempts',
  'task_events',
  'graphile_worker._private_jobs',
  'graphile_worker._private_job_queues',
  'graphile_worker._private_tasks',
];

/**
 * VACUUM (ANALYZE) of both sides' tables after a run's backlog (and history) was written and before its clock starts,
 * the same before every run. Without it autovacuum processes what the previous run, the freshly written backlog or
 * the 100,000 steps of history seeded in one go left behind inside the next timed window — measuring a one-off
 * clean-up, charged to whichever side happens to run next, instead of the queue. In a deployment history accumulates
 * over months and autovacuum has long processed it.
 */
async function settleTables(url: string): Promise<void> {
  const present = await queryOnce<{ name: string }>(url, 'SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NOT NULL', [QUEUE_TABLES]);
  await queryOnce(url, `VACUUM (ANALYZE) ${present.map((table) => table.name).join(', ')}`);
}

function duplicates(executions: readonly Execution[]): number {
  return executions.length - new Set(executions.map((execution) => execution.key)).size;
}

async function runNightshift(options: ThroughputOptions, workers: BenchWorker[], history: { tasks: number } = { tasks: 0 }) {
  const db = createPool(options.url, { max: 4, applicationName: 'nightshift-bench' });
  try {
    const registry = buildBenchRegistry({ chainLength: 2 });
    if (history.tasks > 0) await seedFinishedHistory(db.pool, registry.require(FANOUT_PIPELINE.namespace, FANOUT_PIPELINE.name), history.tasks);
    const { rows: [clock] = [] } = await db.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const enqueueStarted = performance.now();
    const taskIds: string[] = [];
    for (let index = 0; index < options.tasks; index += 1) {
      taskIds.push((await launchTask(db, registry, { ...FANOUT_PIPELINE, context: {}, initiator: 'bench' })).taskId);
    }
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    await settleTables(options.url);

    const drained = await timedDrain(
      workers,
      options.postmasterPid,
      async () => {
        // Reads only this run's unfinished and dead tasks through tasks_status_idx, so the poll (every 20 ms) costs
        // the same with or without history; which tasks completed is checked once the clock has stopped.
        const { rows } = await db.pool.query<{ unfinished: number; dead: number }>(
          `SELECT count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS unfinished,
                  count(*) FILTER (WHERE status IN ('failed', 'cancelled'))::int AS dead
             FROM tasks WHERE status IN ('pending', 'running', 'failed', 'cancelled') AND created_at >= $1`,
          [clock?.now],
        );
        const row = rows[0];
        if (row && row.dead > 0) throw new Error(`${row.dead} benchmark tasks failed`);
        return row?.unfinished === 0;
      },
      Math.max(120_000, options.tasks * 500),
      options.url,
    );
    const { rows: [finished] = [] } = await db.pool.query<{ completed: number }>(
      `SELECT count(*)::int AS completed FROM tasks WHERE id = ANY ($1::uuid[]) AND status = 'completed'`,
      [taskIds],
    );
    check(finished?.completed === options.tasks, `${finished?.completed} of ${options.tasks} benchmark tasks completed`);

    const expectedSteps = options.tasks * FANOUT_STEPS;
    const { rows: [attempts] = [] } = await db.pool.query<{ total: number; completed: number; retried: number }>(
      `SELECT (SELECT count(*)::int FROM step_attempts WHERE task_id = ANY ($1::uuid[])) AS total,
              (SELECT count(*)::int FROM step_attempts WHERE task_id = ANY ($1::uuid[]) AND outcome = 'completed') AS completed,
              (SELECT count(*)::int FROM steps WHERE task_id = ANY ($1::uuid[]) AND (attempt_count <> 1 OR status <> 'completed')) AS retried`,
      [taskIds],
    );
    check(drained.executions.length === expectedSteps, `Nightshift handlers ran ${drained.executions.length} times, expected ${expectedSteps}`);
    check(duplicates(drained.executions) === 0, `Nightshift ran ${duplicates(drained.executions)} steps more than once`);
    check(drained.executions.every((execution) => taskIds.some((id) => execution.key.startsWith(`${id}/`))), 'a handler ran a step of an unknown task');
    check(attempts?.total === expectedSteps && attempts.completed === expectedSteps, `step_attempts holds ${JSON.stringify(attempts)}, expected ${expectedSteps} completed`);
    check(attempts.retried === 0, `${attempts.retried} steps are not completed in exactly one attempt`);
    return { seconds: drained.seconds, steps: expectedSteps, enqueueSeconds, workerCpuSeconds: drained.workerCpuSeconds, postgresCpuSeconds: drained.postgresCpuSeconds, statements: drained.statements, walBytes: drained.walBytes };
  } finally {
    await db.close();
  }
}

async function runGraphile(options: ThroughputOptions, jobs: number, workers: BenchWorker[]) {
  await runGraphileMigrations({ connectionString: options.url });
  const utils = await makeWorkerUtils({ connectionString: options.url });
  const enqueueStarted = performance.now();
  try {
    await utils.addJobs(Array.from({ length: jobs }, (_, i) => ({ identifier: 'noop', payload: { i } })));
  } finally {
    await utils.release();
  }
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
  await settleTables(options.url);

  const client = new pg.Client({ connectionString: options.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const drained = await timedDrain(
      workers,
      options.postmasterPid,
      async () => {
        const { rows } = await client.query<{ left: number; failed: number }>(
          `SELECT count(*)::int AS left, count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed FROM graphile_worker._private_jobs`,
        );
        const row = rows[0];
        if (row && row.failed > 0) throw new Error(`${row.failed} graphile-worker jobs failed`);
        return row?.left === 0;
      },
      Math.max(120_000, jobs * 50),
      options.url,
    );
    const expectedKeys = new Set(Array.from({ length: jobs }, (_, i) => `job/${i}`));
    check(drained.executions.length === jobs, `graphile-worker handlers ran ${drained.executions.length} times, expected ${jobs}`);
    check(duplicates(drained.executions) === 0, `graphile-worker ran ${duplicates(drained.executions)} jobs more than once`);
    check(drained.executions.every((execution) => expectedKeys.has(execution.key) && execution.attempt === 1), 'graphile-worker ran an unknown job or a retry');
    return { seconds: drained.seconds, jobs, enqueueSeconds, workerCpuSeconds: drained.workerCpuSeconds, postgresCpuSeconds: drained.postgresCpuSeconds, statements: drained.statements, walBytes: drained.walBytes };
  } finally {
    await client.end();
  }
}

function describeTop(statements: StatementProfile, seconds: number): string {
  const [top] = statements.top;
  if (!top) return 'none';
  const share = top.totalMs / 1000 / seconds;
  return `${top.calls} calls × ${top.meanMs} ms = ${round(top.totalMs / 1000, 1)} s of ${round(seconds, 1)} s wall (${round(share * 100, 0)}%): ${top.query.slice(0, 90)}…`;
}

const perThousand = (seconds: number | null, count: number) => (seconds === null ? '?' : round((seconds / count) * 1000, 2));

export async function runThroughput(options: ThroughputOptions): Promise<BenchmarkReport> {
  const rounds: Round[] = [];
  for (let index = 0; index < (options.rounds ?? 1); index += 1) {
    if (index > 0) await queryOnce(options.url, 'TRUNCATE tasks, task_events CASCADE');
    rounds.push(await runRound(options, index));
  }
  return summarize(options, rounds);
}

interface Round {
  nightshift: Awaited<ReturnType<typeof runNightshift>>;
  withHistory: Awaited<ReturnType<typeof runNightshift>>;
  graphileRuns: readonly [GraphileRun, GraphileRun];
}

async function runRound(options: ThroughputOptions, round: number): Promise<Round> {
  // All worker processes start up front, while the backlog is enqueued; the graphile-worker ones stay idle (connected,
  // their runner not started) until their turn, so process start-up is off the clock and off the critical path.
  const spawnEngineWorkers = (run: string) =>
    Array.from({ length: options.processes }, (_, index) =>
      spawnBenchWorker('engine-worker', {
        BENCH_DATABASE_URL: options.url,
        BENCH_WORKER_ID: `bench-engine-${round}-${run}-${index}`,
        BENCH_CONCURRENCY: String(options.concurrency),
        BENCH_CHAIN_LENGTH: '2',
      }),
    );
  const engineWorkers = spawnEngineWorkers('empty');
  const historyWorkers = spawnEngineWorkers('history');
  const spawnGraphileWorkers = () =>
    Array.from({ length: options.processes }, () =>
      spawnBenchWorker('graphile-worker', { BENCH_DATABASE_URL: options.url, BENCH_CONCURRENCY: String(options.concurrency) }),
    );
  const graphileWorkersBefore = spawnGraphileWorkers();
  const graphileWorkersAfter = spawnGraphileWorkers();
  try {
    // graphile-worker runs before and after the empty-database Nightshift run, and the baseline is both together:
    // on a shared two-core host the speed of the machine drifts by a third within a minute (measured: the same
    // code at 981 and 1,423 steps/s), and bracketing cancels the drift instead of charging it to whichever ran later.
    const jobs = options.tasks * FANOUT_STEPS;
    const graphileBefore = await runGraphile(options, jobs, graphileWorkersBefore);
    const nightshift = await runNightshift(options, engineWorkers);
    const graphileAfter = await runGraphile(options, jobs, graphileWorkersAfter);
    const withHistory = await runNightshift(options, historyWorkers, { tasks: options.historyTasks });
    return { nightshift, withHistory, graphileRuns: [graphileBefore, graphileAfter] };
  } finally {
    await Promise.all([...engineWorkers, ...historyWorkers, ...graphileWorkersBefore, ...graphileWorkersAfter].map((worker) => worker.kill()));
  }
}

type GraphileRun = Awaited<ReturnType<typeof runGraphile>>;

/** The bracketing runs as one: all their jobs over all their seconds, CPU and WAL summed, statements of the second. */
function combine(runs: readonly [GraphileRun, GraphileRun]): GraphileRun {
  const [before, after] = runs;
  const sumOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  return {
    seconds: before.seconds + after.seconds,
    jobs: before.jobs + after.jobs,
    enqueueSeconds: before.enqueueSeconds + after.enqueueSeconds,
    workerCpuSeconds: before.workerCpuSeconds + after.workerCpuSeconds,
    postgresCpuSeconds: sumOrNull(before.postgresCpuSeconds, after.postgresCpuSeconds),
    statements: after.statements,
    walBytes: before.walBytes + after.walBytes,
  };
}

/** A round's figures: Nightshift against its bracketing baseline, and the history run against the empty one. */
function ratiosOf(round: Round) {
  const graphile = combine(round.graphileRuns);
  const stepsPerSecond = round.nightshift.steps / round.nightshift.seconds;
  const historyStepsPerSecond = round.withHistory.steps / round.withHistory.seconds;
  const jobsPerSecond = graphile.jobs / graphile.seconds;
  return { graphile, stepsPerSecond, historyStepsPerSecond, jobsPerSecond, ratio: stepsPerSecond / jobsPerSecond, historyRatio: historyStepsPerSecond / stepsPerSecond };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

function summarize(options: ThroughputOptions, rounds: readonly Round[]): BenchmarkReport {
  const perRound = rounds.map(ratiosOf);
  const ratio = median(perRound.map((figures) => figures.ratio));
  const historyRatio = median(perRound.map((figures) => figures.historyRatio));
  // The rows describe the round whose ratio is the median (the lower middle one of an even count).
  const medianIndex = perRound.map((figures, index) => ({ index, ratio: figures.ratio })).sort((a, b) => a.ratio - b.ratio)[Math.floor((perRound.length - 1) / 2)]?.index ?? 0;
  const shown = rounds[medianIndex]!;
  const { nightshift, withHistory, graphileRuns } = shown;
  const [graphileBefore, graphileAfter] = graphileRuns;
  const { graphile, stepsPerSecond, historyStepsPerSecond, jobsPerSecond } = perRound[medianIndex]!;
  const shownHistoryRatio = historyStepsPerSecond / stepsPerSecond;
  const list = (values: number[]) => values.map((value) => `${round(value, 2)}×`).join(' · ');
  const perStep = (profile: StatementProfile | null, count: number) => (profile ? round(profile.totalCalls / count, 2) : '?');
  const setup = `${options.processes} processes × concurrency ${options.concurrency}`;
  return {
    benchmark: 'throughput',
    rows: [
      { metric: `Nightshift: ${options.tasks} tasks × ${FANOUT_STEPS} steps, ${setup}`, value: `${round(stepsPerSecond, 0)} steps/s (${round(nightshift.seconds, 2)} s)` },
      {
        metric: `graphile-worker: ${graphileBefore.jobs} no-op jobs, ${setup}, before and after the Nightshift run`,
        value: `${round(jobsPerSecond, 0)} jobs/s (${round(graphileBefore.jobs / graphileBefore.seconds, 0)} before, ${round(graphileAfter.jobs / graphileAfter.seconds, 0)} after)`,
      },
      { metric: 'ratio Nightshift / graphile-worker', value: `${round(stepsPerSecond / jobsPerSecond, 2)}×` },
      {
        metric: `Nightshift with ${options.historyTasks.toLocaleString('en')} finished tasks in the database (half failed, downstream blocked)`,
        value: `${round(historyStepsPerSecond, 0)} steps/s (${round(withHistory.seconds, 2)} s) = ${round(shownHistoryRatio, 2)}× the empty database`,
      },
      ...(rounds.length > 1
        ? [
            {
              metric: `${rounds.length} rounds (the rows above are the median one): ratio · with history`,
              value: `${list(perRound.map((r) => r.ratio))} (median ${round(ratio, 2)}×) · ${list(perRound.map((r) => r.historyRatio))} (median ${round(historyRatio, 2)}×)`,
            },
          ]
        : []),
      {
        metric: 'statements per step / job (pg_stat_statements calls in the timed window)',
        value: `Nightshift ${perStep(nightshift.statements, nightshift.steps)} · graphile-worker ${perStep(graphileAfter.statements, graphileAfter.jobs)}`,
      },
      { metric: 'enqueue (not timed above): launchTask × tasks / addJobs', value: `${round(nightshift.enqueueSeconds, 2)} s / ${round(graphileBefore.enqueueSeconds, 2)} s` },
      {
        metric: 'CPU per 1,000 steps / jobs: workers + PostgreSQL',
        value: `Nightshift ${perThousand(nightshift.workerCpuSeconds, nightshift.steps)} + ${perThousand(nightshift.postgresCpuSeconds, nightshift.steps)} s · graphile-worker ${perThousand(graphile.workerCpuSeconds, graphile.jobs)} + ${perThousand(graphile.postgresCpuSeconds, graphile.jobs)} s`,
      },
      {
        // The write volume per unit of work is what separates the two on two cores (docs/BENCHMARKS.md).
        metric: 'WAL written per step / job (pg_current_wal_insert_lsn across the timed window)',
        value: `Nightshift ${round(nightshift.walBytes / nightshift.steps, 0)} B · graphile-worker ${round(graphile.walBytes / graphile.jobs, 0)} B`,
      },
      ...(nightshift.statements?.top[0]
        ? [{ metric: 'Nightshift: statement with the most PostgreSQL time', value: describeTop(nightshift.statements, nightshift.seconds) }]
        : []),
    ],
    goals: [
      { goal: 'throughput: Nightshift ≥ 1.0× graphile-worker', measured: `${round(ratio, 2)}×${rounds.length > 1 ? ' (median)' : ''}`, met: ratio >= 1 },
      {
        goal: `throughput with ${options.historyTasks.toLocaleString('en')} finished tasks within 10% of the empty database`,
        measured: `${round(historyRatio, 2)}×${rounds.length > 1 ? ' (median)' : ''}`,
        met: historyRatio >= 0.9,
      },
    ],
    details: {
      ...options,
      url: undefined,
      postmasterPid: undefined,
      nightshift: { ...nightshift, stepsPerSecond: round(stepsPerSecond, 1) },
      nightshiftWithHistory: { ...withHistory, stepsPerSecond: round(historyStepsPerSecond, 1) },
      graphile: { ...graphile, jobsPerSecond: round(jobsPerSecond, 1) },
      graphileRuns: graphileRuns.map((run) => ({ ...run, jobsPerSecond: round(run.jobs / run.seconds, 1) })),
      rounds: perRound.map((r) => ({ stepsPerSecond: round(r.stepsPerSecond, 1), jobsPerSecond: round(r.jobsPerSecond, 1), ratio: round(r.ratio, 3), historyRatio: round(r.historyRatio, 3) })),
      medianHistoryRatio: round(historyRatio, 3),
      ratio: round(ratio, 3),
    },
  };
}
