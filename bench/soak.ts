/**
 * A year of nights: N daily deliveries of customer_analytics back to back on an accelerated clock, with the seed's
 * fault mix, against real parts — an embedded PostgreSQL (durable settings), two standalone worker processes
 * (scripts/worker.ts: worker and event dispatcher, so step failures raise their alerts), and the demo CRM /
 * inventory / Slack over real HTTP with fault injection on.
 *
 * Each night D is its own day: the run of the window D − 1 is started as the daily schedule would start it, at a
 * simulated 01:00 of D, and the simulated clock runs `speed` times faster than the real one from that moment, so its
 * publish is on time when it lands within (07:00 − 01:00) / speed real seconds. The faults (FAULT_PLANS):
 * - CRM timeouts (hangs until SOURCE_TIMEOUT_MS), 429s with Retry-After and 5xx; inventory 5xx; dropped orders
 *   database connections (the server terminates the reader's backend) — all per request, all night;
 * - a worker killed with SIGKILL mid-run every ~20 nights (another one is started; the lease hands its step over);
 * - PostgreSQL restarted mid-run every ~50 nights (fast shutdown: every connection is cut);
 * - one out-of-memory-sized day: the largest day's orders ×10, put on one night's window before it runs.
 * Fewer nights than a fault's period still get one of it (the CI version, 7 nights, sees each).
 *
 * Nothing is helped along: a run that fails for good is what an on-call person would see — the harness then acts
 * as that person (retries the failed steps, counted as a night that needed a person); so is a snapshot the
 * data-quality gate holds for review (the demo data's injected outage days have under half the usual orders): the
 * person checks its figures against the source and publishes it anyway, or discards it if they are wrong. Every night's published
 * figures are checked against an independent reference: orders and revenue of the window summed straight from
 * shop.orders by the harness's own SQL.
 */
import { performance } from 'node:perf_hooks';
import { createPool, type DbHandle } from '@/db/client';
import { updateChaosSettings, type ChaosPatch } from '@/lib/demo/chaos';
import { DEFAULT_GENERATOR_OPTIONS, generateDemoData } from '@/lib/demo/generator/generate';
import { readRunHealthCounts, retryFailedSteps } from '@/lib/engine';
import { discardHeldSnapshot, publishHeldSnapshot } from '@/lib/delivery/publish';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';
import { startCustomerAnalyticsRun } from '@/lib/pipelines/customer-analytics/start-run';
import { buildRegistry } from '@/lib/runtime/registry';
import { addDays } from '@/lib/time/zoned-time';
import { spawnPipelineWorker, startDemoSources } from './pipeline-at-scale';
import { round, type BenchmarkReport } from './support/report';
import { startBenchPostgres } from './support/postgres';

export const FAULT_LEVELS = ['realistic', 'harsh'] as const;
export type FaultLevel = (typeof FAULT_LEVELS)[number];

/** Per-request fault rates of the sources; `harsh` doubles each, and halves the periods of the process faults. */
const REALISTIC: { chaos: ChaosPatch; killEveryNights: number; restartEveryNights: number } = {
  chaos: {
    crm: { failure_rate: 0.02, rate_limit_rate: 0.03, hang_rate: 0.005 },
    inventory: { failure_rate: 0.02 },
    orders_db: { failure_rate: 0.01 },
  },
  killEveryNights: 20,
  restartEveryNights: 50,
};

function faultPlan(level: FaultLevel) {
  if (level === 'realistic') return REALISTIC;
  const double = (value: number | undefined) => (value === undefined ? undefined : Math.min(1, value * 2));
  const doubled: ChaosPatch = {};
  for (const [source, settings] of Object.entries(REALISTIC.chaos) as [keyof ChaosPatch, Record<string, number>][]) {
    doubled[source] = Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, double(value)]));
  }
  return { chaos: doubled, killEveryNights: REALISTIC.killEveryNights / 2, restartEveryNights: REALISTIC.restartEveryNights / 2 };
}

export interface SoakOptions {
  nights: number;
  faults: FaultLevel;
  /** Simulated seconds per real second (default 360: the six hours from 01:00 to the 07:00 deadline take 60 s). */
  speed: number;
  /** Generator seed (the demo data) and fault dice are independent; the data is the seed's default size. */
  seed?: number;
  log?: (message: string) => void;
}

// Types, not interfaces: the results are JSON (bench/results/soak.json), and only type aliases fit JsonValue.
export type SoakNight = {
  night: number;
  day: string;
  windowEnd: string;
  taskId: string;
  faults: string[];
  /** Simulated minutes after the deadline the snapshot was published (negative: early); null if it never was. */
  minutesVsDeadline: number | null;
  onTime: boolean;
  neededPerson: boolean;
  dataCorrect: boolean;
  /** A critical alert (a page) was raised about this night's run. */
  paged: boolean;
  explanation: string | null;
};

export type SoakTable = {
  runs: number;
  failedRuns: number;
  failureRatePercent: number;
  failedAttempts: number;
  recoveredAttempts: number;
  recoveredPercent: number | null;
  onTime: number;
  onTimePercent: number;
  pages: number;
  nightsNeedingPerson: number;
  /** Nights paged although no person had to act. */
  pagedWithoutNeed: number;
  nightsLost: number;
  wrongData: number;
};

export type SoakResult = {
  options: { nights: number; faults: FaultLevel; speed: number; seed: number };
  nights: SoakNight[];
  table: SoakTable;
  wallSeconds: number;
};

const DEADLINE_HOURS_AFTER_START = 6;
const POLL_MS = 100;

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A harness query that survives the planned PostgreSQL restart: retried until the server answers again. */
async function resilient<T>(run: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(250);
    }
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? ((message: string) => console.log(`[soak] ${message}`));
  const plan = faultPlan(options.faults);
  const nights = options.nights;
  const started = performance.now();
  const server = await startBenchPostgres('soak');
  const db: DbHandle = createPool(server.url, { max: 4, applicationName: 'nightshift-soak' });
  db.pool.on('error', () => undefined);
  const registry = buildRegistry();
  const demo = await startDemoSources(server.url);
  // Short leases and source timeouts: a killed worker's step moves on within seconds of real time, which the
  // accelerated clock turns into the minutes a real night would lose.
  const workerEnv = { LOG_LEVEL: 'error', WORKER_LEASE_MS: '4000', WORKER_HEARTBEAT_MS: '1000', WORKER_POLL_MS: '200', WORKER_CONCURRENCY: '3',
    SOURCE_TIMEOUT_MS: '1500', WORKER_BACKOFF_BASE_MS: '250', WORKER_BACKOFF_CAP_MS: '4000' };
  const spawnWorker = () => spawnPipelineWorker(server.url, demo.url, undefined, workerEnv);
  const workers = [spawnWorker(), spawnWorker()];
  const results: SoakNight[] = [];
  try {
    const today = new Date().toISOString().slice(0, 10);
    const generated = await generateDemoData({ app: db.pool, source: db.pool }, { ...DEFAULT_GENERATOR_OPTIONS, seed: options.seed ?? DEFAULT_GENERATOR_OPTIONS.seed });
    log(`generated ${generated.orders} orders over ${DEFAULT_GENERATOR_OPTIONS.days} days`);
    await updateChaosSettings(db.db, plan.chaos);
    const policy = await readDeliveryPolicy(db.pool, customerAnalyticsDelivery);
    log(`faults (${options.faults}): ${JSON.stringify(plan.chaos)}, a worker killed every ${plan.killEveryNights} nights, PostgreSQL restarted every ${plan.restartEveryNights}`);
    const firstDay = addDays(today, -(nights - 1));
    const killNights = new Set(Array.from({ length: nights }, (_, index) => index).filter((index) => index % plan.killEveryNights === Math.floor(plan.killEveryNights / 2)));
    const restartNights = new Set(Array.from({ length: nights }, (_, index) => index).filter((index) => index % plan.restartEveryNights === Math.floor(plan.restartEveryNights / 2)));
    if (killNights.size === 0) killNights.add(Math.min(nights - 1, 3));
    if (restartNights.size === 0) restartNights.add(Math.max(0, nights - 2));
    const hugeNight = Math.floor(nights / 3);
    const deadlineRealMs = (DEADLINE_HOURS_AFTER_START * 3_600_000) / options.speed;

    let killPending = false;
    let restartPending = false;
    for (let night = 0; night < nights; night += 1) {
      const day = addDays(firstDay, night);
      const windowEnd = addDays(day, -1);
      const faults: string[] = [];
      if (night === hugeNight) {
        const copies = await multiplyLargestDay(db, windowEnd, 10);
        faults.push(`largest day ×10 (${copies} orders)`);
      }
      const reference = await resilient(() => referenceFigures(db, windowEnd));
      const t0 = Date.now();
      const start = await resilient(() =>
        startCustomerAnalyticsRun(db, registry, { date_range: { start_date: windowEnd, end_date: windowEnd } }, 'schedule:soak'),
      );
      if (!start.ok) throw new Error(`night ${night}: the run was refused: ${JSON.stringify(start.issues)}`);
      if (start.outcome.kind !== 'created') throw new Error(`night ${night}: expected a new run for ${windowEnd}, got ${start.outcome.kind}`);
      const taskId = start.outcome.taskId;
      let neededPerson = false;
      // A planned fault that found no attempt running (the night was over first) moves to the next night.
      if (killNights.has(night)) killPending = true;
      if (restartNights.has(night)) restartPending = true;
      let personActions = 0;
      for (;;) {
        await sleep(POLL_MS);
        const elapsed = Date.now() - t0;
        if (killPending) {
          // The worker running one of this night's steps, as soon as one runs: a crash mid-attempt, not an idle one.
          const running = await resilient(() =>
            db.pool.query<{ workerId: string; stepName: string }>(
              `SELECT worker_id AS "workerId", step_name AS "stepName" FROM step_attempts WHERE task_id = $1 AND outcome IS NULL AND finished_at IS NULL LIMIT 1`,
              [taskId],
            ),
          );
          const holder = running.rows[0];
          const victim = holder ? workers.find((worker) => holder.workerId.split(':')[1] === String(worker.pid)) : undefined;
          if (holder && victim) {
            killPending = false;
            workers.splice(workers.indexOf(victim), 1);
            await victim.kill();
            workers.push(spawnWorker());
            faults.push(`worker SIGKILL during ${holder.stepName}`);
          }
        }
        if (restartPending && elapsed > 300) {
          const running = await resilient(() => db.pool.query(`SELECT 1 FROM step_attempts WHERE task_id = $1 AND outcome IS NULL`, [taskId]));
          if ((running.rowCount ?? 0) > 0) {
            restartPending = false;
            await server.restart();
            faults.push('PostgreSQL restart');
          }
        }
        const status = await resilient(() => db.pool.query<{ status: string }>(`SELECT status::text FROM tasks WHERE id = $1`, [taskId]));
        const state = status.rows[0]?.status;
        if (state === 'completed' || state === 'cancelled') break;
        if (state === 'failed') {
          // What the on-call person would do at 3 AM: retry what failed. Counted against the night.
          neededPerson = true;
          personActions += 1;
          if (personActions > 3) break;
          await resilient(() => retryFailedSteps(db, { taskId, actor: 'soak:on-call', reason: 'the soak on-call retries' }));
        }
        if (elapsed > deadlineRealMs * 5 + 120_000) break;
      }
      // The data-quality gate held the snapshot (the demo's injected outage days have fewer than half the usual
      // orders): the on-call person checks the figures against the source and, when they are right, publishes anyway.
      const held = await resilient(() =>
        db.pool.query<{ orders: string | null; revenue: string | null }>(
          `SELECT summary->'kpis'->'orders'->>'current' AS orders, summary->'kpis'->'revenue'->>'current' AS revenue
             FROM analytics.dashboard_snapshots WHERE task_id = $1 AND state = 'held'`,
          [taskId],
        ),
      );
      const heldSnapshot = held.rows[0];
      if (heldSnapshot) {
        neededPerson = true;
        const right = Number(heldSnapshot.orders) === reference.orders && Math.abs(Number(heldSnapshot.revenue) - reference.revenue) < 0.005;
        faults.push('held for review by the data-quality gate');
        const review = { actor: { actorId: null, actorLabel: 'soak:on-call' }, taskId, routing: { linkBaseUrl: 'http://soak.invalid' } };
        if (right) {
          await resilient(() => publishHeldSnapshot(db.pool, { ...review, policy, reason: 'checked against the orders: a real low day' }));
        } else {
          await resilient(() => discardHeldSnapshot(db.pool, { ...review, reason: 'figures differ from the orders' }));
        }
      }
      const published = await resilient(() =>
        db.pool.query<{ publishedAt: Date; orders: string | null; revenue: string | null }>(
          `SELECT published_at AS "publishedAt", summary->'kpis'->'orders'->>'current' AS orders, summary->'kpis'->'revenue'->>'current' AS revenue
             FROM analytics.dashboard_snapshots WHERE task_id = $1 AND state = 'published'`,
          [taskId],
        ),
      );
      const snapshot = published.rows[0];
      const simulatedMinutes = snapshot ? ((snapshot.publishedAt.getTime() - t0) * options.speed) / 60_000 : null;
      const minutesVsDeadline = simulatedMinutes === null ? null : round(simulatedMinutes - DEADLINE_HOURS_AFTER_START * 60, 1);
      const dataCorrect = snapshot !== undefined && Number(snapshot.orders) === reference.orders && Math.abs(Number(snapshot.revenue) - reference.revenue) < 0.005;
      const onTime = minutesVsDeadline !== null && minutesVsDeadline <= 0;
      const explanation = !snapshot ? 'never published' : !dataCorrect ? `published ${snapshot.orders} orders / ${snapshot.revenue} revenue, reference ${reference.orders} / ${reference.revenue}` : !onTime ? `published ${minutesVsDeadline} simulated minutes late` : null;
      const paged = await resilient(() => db.pool.query(`SELECT 1 FROM alerts WHERE task_id = $1 AND severity = 'critical'`, [taskId]));
      results.push({ night, day, windowEnd, taskId, faults, minutesVsDeadline, onTime, neededPerson, dataCorrect, paged: (paged.rowCount ?? 0) > 0, explanation });
      log(`night ${night + 1}/${nights} ${day}: ${onTime ? 'on time' : 'LATE'} (${minutesVsDeadline ?? '—'} min vs deadline)${faults.length ? `, faults: ${faults.join(', ')}` : ''}${neededPerson ? ', needed a person' : ''}${explanation ? ` — ${explanation}` : ''}`);
    }

    const since = new Date(started - 86_400_000 - (performance.now() - started));
    const [counts] = await resilient(() => readRunHealthCounts(db.pool, { namespace: 'data_pipeline', name: 'customer_analytics' }, [since]));
    const pages = await resilient(() => db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM alerts WHERE severity = 'critical'`));
    const onTimeNights = results.filter((entry) => entry.onTime).length;
    const runsFailedEver = await resilient(() =>
      db.pool.query<{ count: number }>(`SELECT count(DISTINCT task_id)::int AS count FROM task_operations WHERE operation = 'retry_failed_steps' OR actor = 'soak:on-call'`),
    );
    const failedAttempts = counts?.knownFailedAttempts ?? 0;
    const recovered = counts?.recoveredAttempts ?? 0;
    return {
      options: { nights, faults: options.faults, speed: options.speed, seed: options.seed ?? DEFAULT_GENERATOR_OPTIONS.seed },
      nights: results,
      table: {
        runs: counts?.runs ?? 0,
        failedRuns: runsFailedEver.rows[0]?.count ?? 0,
        failureRatePercent: counts && counts.runs > 0 ? round(((runsFailedEver.rows[0]?.count ?? 0) / counts.runs) * 100, 2) : 0,
        failedAttempts,
        recoveredAttempts: recovered,
        recoveredPercent: failedAttempts > 0 ? round((recovered / failedAttempts) * 100, 1) : null,
        onTime: onTimeNights,
        onTimePercent: round((onTimeNights / nights) * 100, 2),
        pages: pages.rows[0]?.count ?? 0,
        nightsNeedingPerson: results.filter((entry) => entry.neededPerson).length,
        pagedWithoutNeed: results.filter((entry) => entry.paged && !entry.neededPerson).length,
        nightsLost: results.filter((entry) => entry.minutesVsDeadline === null).length,
        wrongData: results.filter((entry) => entry.minutesVsDeadline !== null && !entry.dataCorrect).length,
      },
      wallSeconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop().catch(() => undefined)));
    await demo.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    await server.stop();
  }
}

/** The harness's own reference: the window's orders and revenue straight from the source table. */
async function referenceFigures(db: DbHandle, day: string): Promise<{ orders: number; revenue: number }> {
  const { rows } = await db.pool.query<{ orders: number; revenue: string }>(
    `SELECT count(*)::int AS orders, coalesce(sum(total_amount), 0)::text AS revenue
       FROM shop.orders WHERE created_at >= $1::date AND created_at < $1::date + 1`,
    [day],
  );
  return { orders: rows[0]?.orders ?? 0, revenue: Number(rows[0]?.revenue ?? 0) };
}

/** Adds (factor − 1) copies of the largest day's orders and their items onto `day`; returns how many orders it added. */
async function multiplyLargestDay(db: DbHandle, day: string, factor: number): Promise<number> {
  const { rows } = await db.pool.query<{ added: number }>(
    `WITH largest AS (
       SELECT created_at::date AS day FROM shop.orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 1),
     source AS (
       SELECT o.*, row_number() OVER (ORDER BY o.id) AS n FROM shop.orders o, largest l
        WHERE o.created_at >= l.day AND o.created_at < l.day + 1),
     base AS (SELECT max(id) AS top, (SELECT count(*) FROM source) AS size FROM shop.orders),
     copies AS (
       SELECT s.id AS original, b.top + (c.k - 1) * b.size + s.n AS id, s.customer_id, s.total_amount, s.status,
              $1::date + (s.created_at - date_trunc('day', s.created_at)) AS created_at
         FROM source s, base b, generate_series(1, $2::int - 1) AS c(k)),
     inserted AS (
       INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at)
       SELECT id, customer_id, total_amount, status, created_at FROM copies RETURNING id),
     items AS (
       INSERT INTO shop.order_items (order_id, product_id, quantity, price)
       SELECT c.id, i.product_id, i.quantity, i.price FROM copies c JOIN shop.order_items i ON i.order_id = c.original RETURNING 1)
     SELECT (SELECT count(*) FROM inserted)::int AS added, (SELECT count(*) FROM items) AS items`,
    [day, factor],
  );
  await db.pool.query(`SELECT setval(pg_get_serial_sequence('shop.orders', 'id'), (SELECT max(id) FROM shop.orders))`);
  return rows[0]?.added ?? 0;
}

/** The seed's table and the issue's goals, as `npm run soak` prints them. */
export function soakReport(result: SoakResult): BenchmarkReport {
  const { table, options } = result;
  const late = result.nights.filter((night) => !night.onTime);
  const onTimeGoal = options.faults === 'realistic' ? 100 : 99;
  return {
    benchmark: `soak: ${options.nights} nights, ${options.faults} faults, clock ×${options.speed}`,
    rows: [
      { metric: 'Runs', value: String(table.runs) },
      { metric: 'Runs that failed for good (a person retried them)', value: `${table.failedRuns} (${table.failureRatePercent}%)` },
      { metric: 'Failed attempts recovered automatically', value: `${table.recoveredAttempts} of ${table.failedAttempts}${table.recoveredPercent === null ? '' : ` (${table.recoveredPercent}%)`}` },
      { metric: 'On time', value: `${table.onTime} of ${options.nights} (${table.onTimePercent}%)` },
      { metric: 'Pages sent (critical alerts)', value: String(table.pages) },
      { metric: 'Nights that needed a person', value: String(table.nightsNeedingPerson) },
      { metric: 'Nights lost · published with wrong data', value: `${table.nightsLost} · ${table.wrongData}` },
      ...late.map((night) => ({ metric: `Late: ${night.day}`, value: night.explanation ?? '' })),
    ],
    goals: [
      { goal: '0 nights lost or published with wrong data', measured: `${table.nightsLost} · ${table.wrongData}`, met: table.nightsLost === 0 && table.wrongData === 0 },
      { goal: `on time ≥ ${onTimeGoal}%`, measured: `${table.onTimePercent}%`, met: table.onTimePercent >= onTimeGoal },
      { goal: '≥ 95% of failed attempts recovered automatically', measured: table.recoveredPercent === null ? 'no failed attempt' : `${table.recoveredPercent}%`, met: (table.recoveredPercent ?? 100) >= 95 },
      { goal: 'pages only for nights a person had to act', measured: `${table.pagedWithoutNeed} paged without need`, met: table.pagedWithoutNeed === 0 },
    ],
    details: { ...result },
  };
}
