/**
 * Benchmark — a 30-day backfill at the default data size: the seed's demo set (DEFAULT_GENERATOR_OPTIONS: 20,000
 * customers, 300 products, 120,000 orders over 420 days), then one backfill of its last 30 days with the default
 * max_parallel, run by a standalone
 * worker process (scripts/worker.ts: worker, event dispatcher and the backfill promoter it subscribes, no
 * scheduler). Measures the wall time from the request to the backfill's end and the worker's peak RSS (VmHWM), and
 * checks while sampling that no more than max_parallel of its runs are ever unfinished and that every day got
 * exactly one run.
 */
import { createPool } from '@/db/client';
import { DEFAULT_GENERATOR_OPTIONS, generateDemoData } from '@/lib/demo/generator/generate';
import { createBackfill, promoteBackfill } from '@/lib/backfills';
import { env } from '@/lib/env';
import { buildRegistry, deliveredPipeline } from '@/lib/runtime/registry';
import { spawnPipelineWorker, startDemoSources } from './pipeline-at-scale';
import { currentRssMb, peakRssMb } from './support/processes';
import { check, round, type BenchmarkReport } from './support/report';

const SAMPLE_MS = 250;
/** The backfill's length: the demo set's last 30 days, as when the default set spanned only those. */
const BACKFILL_DAYS = 30;

export async function runBackfillBenchmark(options: { url: string; days?: number }): Promise<BenchmarkReport> {
  const log = (message: string) => console.log(`[bench] ${message}`);
  const db = createPool(options.url, { max: 4, applicationName: 'nightshift-bench' });
  const processes = startDemoSources(options.url).then((demo) => ({ demo, worker: spawnPipelineWorker(options.url, demo.url, undefined) }));
  processes.catch(() => undefined);
  try {
    const endDate = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    const generated = await generateDemoData({ app: db.pool, source: db.pool }, { ...DEFAULT_GENERATOR_OPTIONS, endDate });
    log(`generated ${generated.orders} orders over ${DEFAULT_GENERATOR_OPTIONS.days} days in ${(generated.elapsedMs / 1000).toFixed(1)} s`);
    const days = options.days ?? BACKFILL_DAYS;
    const last = new Date(generated.windowEnd.getTime() - 1).toISOString().slice(0, 10);
    const first = new Date(generated.windowEnd.getTime() - days * 86_400_000).toISOString().slice(0, 10);
    const maxParallel = env().BACKFILL_MAX_PARALLEL;

    const { demo, worker } = await processes;
    const pipelines = { registry: buildRegistry(), delivered: deliveredPipeline() };
    const rssSamples: number[] = [];
    const unfinishedSamples: number[] = [];
    let backfillId = '';
    let peakRss = Number.NaN;
    let wallSeconds = Number.NaN;
    try {
      const started = performance.now();
      const created = await createBackfill(
        db,
        pipelines,
        { start_date: first, end_date: last, reason: 'bench: 30-day backfill' },
        { actorId: null, actorLabel: 'bench', origin: 'operator' },
      );
      if (!created.ok) throw new Error(`backfill refused: ${JSON.stringify(created.issues)}`);
      backfillId = created.backfill.id;
      await promoteBackfill(db, pipelines, backfillId);
      log(`backfill ${backfillId}: ${first} … ${last}, max_parallel ${maxParallel}`);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
        check(worker.isRunning(), 'the worker exited during the backfill');
        rssSamples.push(currentRssMb(worker.pid));
        const sample = (
          await db.pool.query<{ status: string; unfinished: number }>(
            `SELECT b.status, (SELECT count(*)::int FROM backfill_days d JOIN tasks t ON t.id = d.task_id
                                WHERE d.backfill_id = b.id AND t.status IN ('pending', 'running')) AS unfinished
               FROM backfills b WHERE b.id = $1`,
            [backfillId],
          )
        ).rows[0];
        unfinishedSamples.push(sample?.unfinished ?? 0);
        if (sample?.status !== 'active') break;
      }
      wallSeconds = (performance.now() - started) / 1000;
      peakRss = peakRssMb(worker.pid);
    } finally {
      await worker.stop();
      await demo.stop();
    }

    const runs = (
      await db.pool.query<{ days: number; tasks: number; completed: number; held: number }>(
        `SELECT count(*)::int AS days, count(DISTINCT d.task_id)::int AS tasks,
                count(*) FILTER (WHERE t.status = 'completed')::int AS completed,
                count(*) FILTER (WHERE s.state = 'held')::int AS held
           FROM backfill_days d LEFT JOIN tasks t ON t.id = d.task_id LEFT JOIN analytics.dashboard_snapshots s ON s.task_id = d.task_id
          WHERE d.backfill_id = $1`,
        [backfillId],
      )
    ).rows[0];
    check(runs !== undefined, 'no backfill days');
    check(runs.days === days && runs.tasks === days, `${runs.tasks} runs for ${runs.days} days`);
    check(runs.completed === days, `${runs.completed} of ${days} runs completed`);
    const tasksPerDay = (
      await db.pool.query<{ most: number }>(
        `SELECT coalesce(max(n), 0)::int AS most FROM (SELECT count(*) AS n FROM tasks GROUP BY context->'date_range'->>'end_date') per_day`,
      )
    ).rows[0]?.most;
    const mostUnfinished = Math.max(...unfinishedSamples);
    const perRun = (
      await db.pool.query<{ median: number }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at - t.started_at))::float8 AS median
           FROM backfill_days d JOIN tasks t ON t.id = d.task_id WHERE d.backfill_id = $1`,
        [backfillId],
      )
    ).rows[0]?.median ?? Number.NaN;
    return {
      benchmark: 'backfill',
      rows: [
        { metric: `${days}-day backfill, default data (${generated.orders.toLocaleString('en')} orders), max_parallel ${maxParallel}: wall time`, value: `${round(wallSeconds, 1)} s` },
        { metric: 'median run (one day)', value: `${round(perRun, 2)} s` },
        { metric: 'worker peak RSS', value: `${peakRss} MB` },
        { metric: 'most unfinished runs at once (sampled every 250 ms)', value: String(mostUnfinished) },
      ],
      goals: [
        { goal: `never more than max_parallel (${maxParallel}) runs at once`, measured: String(mostUnfinished), met: mostUnfinished <= maxParallel },
        { goal: 'exactly one run per day', measured: `${runs.tasks} runs for ${runs.days} days, at most ${tasksPerDay} per day`, met: runs.tasks === days && tasksPerDay === 1 },
      ],
      details: {
        days,
        range: `${first}..${last}`,
        maxParallel,
        wallSeconds: round(wallSeconds, 2),
        medianRunSeconds: round(perRun, 3),
        workerPeakRssMb: peakRss,
        workerRssSamplesMb: rssSamples,
        mostUnfinished,
        heldForReview: runs.held,
      },
    };
  } finally {
    await db.close();
  }
}
