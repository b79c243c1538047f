/**
 * Benchmark 7 — history: the pages an operator and the public open, with 1,000 / 100,000 / 1,000,000 runs of history.
 *
 * The fixture (seedRunHistory below): finished runs of the delivered pipeline, one a minute going back from the
 * moment of seeding, each with one row per step of the pipeline's definition and its attempts, written set-based in
 * batches the way the engine leaves them — half completed (every step completed, one attempt each), half failed at
 * their first dependent step after four attempts, everything downstream of it blocked — and each run's input the
 * delivery window of the local day it was created on, so the status page classifies them as daily deliveries (the
 * worst case: over a thousand attempts at every day's delivery). Each size is its own database, its history ending
 * when it was seeded, so the newest runs look alike at every size. No snapshot is published.
 *
 * Each size is measured on a freshly started server (no answer cached from the previous size): per target one
 * in-depth check of the response, an unmeasured warm-up, then autocannon at `connections` for `durationSeconds`;
 * every response must be a 200 carrying the target's content. Beside the routes, the status page's figures are timed
 * in-process: as computed now (in the database) and as they were read before (every run and attempt of the 92
 * days loaded through the engine's read API), the same data, the same run.
 */
import autocannon from 'autocannon';
import type pg from 'pg';
import { createPool } from '@/db/client';
import { createApiToken } from '@/lib/auth/api-tokens';
import { encodeRunCursor } from '@/lib/console/run-cursor';
import { deliveryWindow, type DeliveredPipeline } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { listFinishedAttempts, listPipelineOperations, listPipelineRuns, type PipelineRef } from '@/lib/engine';
import { pipelineKey } from '@/lib/engine/claim-steps';
import { downstreamOf } from '@/lib/engine/graph';
import type { PipelineDefinition } from '@/lib/engine/types';
import { deliveredPipeline, buildRegistry } from '@/lib/runtime/registry';
import { loadPublicStatus } from '@/lib/status';
import { factsSince } from '@/lib/status/read-facts';
import { addDays, localDateOf } from '@/lib/time/zoned-time';
import { check, percentile, round, type BenchmarkReport } from './support/report';

export interface HistoryOptions {
  /** One seeded database per size (prepareHistoryDatabase), smallest first. */
  databases: HistoryDatabase[];
  connections: number;
  durationSeconds: number;
  warmUpSeconds: number;
  /** Starts the app on `databaseUrl` and returns its base URL and how to stop it. */
  serve(databaseUrl: string): Promise<{ baseUrl: string; stop(): Promise<void> }>;
  /** False when no production build serves pages (the smoke test serves route handlers only). */
  includePages: boolean;
}

/** The goals: every route's p99 at the largest size at most this, and within this factor of the smallest. */
const P99_GOAL_MS = 100;
const GROWTH_GOAL = 1.5;
const SEED_BATCH = 50_000;
const STATUS_SAMPLES = 5;
/** One request at a time before the load: what a request costs without queueing. */
const ALONE_SAMPLES = 5;

/** Run `from`..`to` (1-based, counted back from `origin` a minute apart) of the fixture described above. */
async function seedBatch(pool: pg.Pool, definition: PipelineDefinition, contexts: { day: string; context: unknown }[], timeZone: string, origin: Date, from: number, to: number): Promise<void> {
  const failing = definition.steps.find((step) => step.dependsOn.length > 0);
  if (!failing) throw new Error(`${definition.name} has no step with a dependency to fail`);
  const blocked = [...downstreamOf(definition.steps, [failing.name])];
  const steps = definition.steps.map((step, position) => ({
    name: step.name,
    position,
    depends_on: step.dependsOn,
    dependents: definition.steps.filter((other) => other.dependsOn.includes(step.name)).map((other) => other.name),
  }));
  await pool.query(
    `WITH context AS (
       SELECT day, context FROM jsonb_to_recordset($10::jsonb) AS c(day date, context jsonb)
     ), task AS (
       INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, started_at, completed_at, unfinished_steps)
       SELECT $1, $2, $3, (CASE WHEN g % 2 = 0 THEN 'completed' ELSE 'failed' END)::task_status, c.context, 'history',
              at, at, at + interval '5 seconds', 0
         FROM generate_series($4::int, $5::int) AS g
        CROSS JOIN LATERAL (SELECT $9::timestamptz - g * interval '1 minute' AS at) t
         JOIN context c ON c.day = (t.at AT TIME ZONE $11)::date
       RETURNING id, status, created_at
     ), step AS (
       INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, status,
                          retryable, retry_limit, attempt_count, budget_attempts, started_at, completed_at, result)
       SELECT task.id, d.name, d.position, ARRAY(SELECT jsonb_array_elements_text(d.depends_on)),
              ARRAY(SELECT jsonb_array_elements_text(d.dependents)), 0, $6, task.created_at,
              (CASE WHEN task.status = 'completed' THEN 'completed'
                    WHEN d.name = $7 THEN 'failed'
                    WHEN d.name = ANY ($8::text[]) THEN 'blocked'
                    ELSE 'completed' END)::step_status,
              true, 3,
              CASE WHEN task.status = 'failed' AND d.name = $7 THEN 4 WHEN task.status = 'failed' AND d.name = ANY ($8::text[]) THEN 0 ELSE 1 END,
              CASE WHEN task.status = 'failed' AND d.name = $7 THEN 4 WHEN task.status = 'failed' AND d.name = ANY ($8::text[]) THEN 0 ELSE 1 END,
              task.created_at, task.created_at + interval '5 seconds', 'null'::jsonb
         FROM task CROSS JOIN jsonb_to_recordset($12::jsonb) AS d(name text, position int, depends_on jsonb, dependents jsonb)
       RETURNING id, task_id, name, status, attempt_count, started_at
     )
     INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at, outcome)
     SELECT step.task_id, step.id, step.name, n, 'history', step.started_at, step.started_at + interval '1 second',
            step.started_at + interval '30 seconds',
            (CASE WHEN step.status = 'failed' THEN 'failed' ELSE 'completed' END)::attempt_outcome
       FROM step CROSS JOIN LATERAL generate_series(1, step.attempt_count) AS n`,
    [
      definition.namespace, definition.name, definition.version, from, to, pipelineKey(definition), failing.name, blocked, origin,
      JSON.stringify(contexts), timeZone, JSON.stringify(steps),
    ],
  );
}

/** Seeds `total` runs, in batches; returns the seconds it took. */
async function seedRunHistory(pool: pg.Pool, delivered: DeliveredPipeline, origin: Date, total: number): Promise<number> {
  const started = performance.now();
  const definition = buildRegistry().list().find((candidate) => candidate.namespace === delivered.namespace && candidate.name === delivered.name);
  if (!definition) throw new Error(`no definition of the delivered pipeline ${delivered.namespace}/${delivered.name}`);
  const policy = await readDeliveryPolicy(pool, delivered);
  const newest = localDateOf(origin, policy.timeZone);
  const days = Math.ceil(total / 1440) + 2;
  const contexts = Array.from({ length: days }, (_, offset) => {
    const day = addDays(newest, -offset);
    return { day, context: delivered.inputFor(deliveryWindow(day, policy), { recompute: false }) };
  });
  for (let from = 1; from <= total; from += SEED_BATCH) {
    await seedBatch(pool, definition, contexts, policy.timeZone, origin, from, Math.min(total, from + SEED_BATCH - 1));
  }
  await pool.query('VACUUM ANALYZE tasks, steps, step_attempts');
  return (performance.now() - started) / 1000;
}

async function p50Ms(samples: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return round(percentile(times, 50), 1);
}

/** The status page's reads before they moved into the database: every run, finished attempt and operation of the period. */
function readEveryRunAndAttempt(pool: pg.Pool, pipeline: PipelineRef, since: Date) {
  return Promise.all([
    listPipelineRuns(pool, pipeline, { createdSince: since }),
    listFinishedAttempts(pool, pipeline, { createdSince: since, outcomes: ['completed', 'failed', 'timed_out', 'lost'] }),
    listPipelineOperations(pool, pipeline, { createdSince: since }),
  ]);
}

/** A database seeded to `size` runs, with the status figures timed in-process on it. */
export interface HistoryDatabase {
  size: number;
  url: string;
  seedSeconds: number;
  statusMs: number;
  statusBeforeMs: number;
  runsInStatusPeriod: number;
}

/** Seeds the fixture into `url` (a migrated, empty database) and times the status figures on it, now and as before. */
export async function prepareHistoryDatabase(url: string, size: number): Promise<HistoryDatabase> {
  // Three reads at once (the status figures as before), and a spare.
  const db = createPool(url, { max: 4, applicationName: 'nightshift-bench' });
  try {
    const delivered = deliveredPipeline();
    const seedSeconds = await seedRunHistory(db.pool, delivered, new Date(), size);
    const since = factsSince(new Date(), await readDeliveryPolicy(db.pool, delivered));
    const statusMs = await p50Ms(STATUS_SAMPLES, () => loadPublicStatus(db.pool, new Date(), delivered));
    const [runs] = await readEveryRunAndAttempt(db.pool, delivered, since);
    const statusBeforeMs = await p50Ms(STATUS_SAMPLES, () => readEveryRunAndAttempt(db.pool, delivered, since));
    return { size, url, seedSeconds: round(seedSeconds, 1), statusMs, statusBeforeMs, runsInStatusPeriod: runs.length };
  } finally {
    await db.close();
  }
}

interface Target {
  name: string;
  path: string;
  page: boolean;
  /** A cheap check of every response under load. */
  verify(body: string): boolean;
}

type Measured = { size: number; name: string; path: string; aloneP50: number; requestsPerSecond: number; p50: number; p99: number; max: number; total: number };

export async function runHistory(options: HistoryOptions): Promise<BenchmarkReport> {
  const measured: Measured[] = [];
  for (const database of options.databases) {
    const { size } = database;
    const db = createPool(database.url, { max: 1, applicationName: 'nightshift-bench' });
    let viewer: Record<string, string>;
    let middleId: string;
    let deepCursor: string;
    try {
      const { token } = await createApiToken(db.db, { name: `bench history viewer ${Date.now()}`, role: 'viewer' }, { actorLabel: 'bench' });
      viewer = { authorization: `Bearer ${token}` };
      // A run in the middle of the history, and the cursor that opens the page of the 20 oldest runs.
      const middle = (await db.pool.query<{ id: string }>(`SELECT id::text FROM tasks ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`, [Math.floor(size / 2)])).rows[0];
      const deep = (
        await db.pool.query<{ id: string; createdAt: string }>(
          `SELECT id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt" FROM tasks ORDER BY created_at, id OFFSET 20 LIMIT 1`,
        )
      ).rows[0];
      check(middle !== undefined && deep !== undefined, 'no runs to open');
      middleId = middle.id;
      deepCursor = encodeRunCursor(deep);
    } finally {
      await db.close();
    }
    const targets: Target[] = [
      { name: 'runs list', path: '/runs', page: true, verify: (body) => body.includes('/runs/') },
      { name: 'runs list data', path: '/api/live/runs', page: false, verify: (body) => body.startsWith('{') && body.includes('"id"') },
      { name: 'deep page (the 20 oldest runs)', path: `/runs?after=${deepCursor}`, page: true, verify: (body) => body.includes('/runs/') },
      { name: 'failed runs', path: '/runs?status=failed', page: true, verify: (body) => body.includes('/runs/') },
      { name: 'one run', path: `/runs/${middleId}`, page: true, verify: (body) => body.includes(middleId) },
      { name: 'status page', path: '/status', page: true, verify: (body) => body.includes('</html>') },
      { name: 'status data', path: '/status.json', page: false, verify: (body) => body.includes('"overall"') },
      { name: 'dashboard data', path: '/api/dashboard', page: false, verify: (body) => body.startsWith('{') },
      { name: 'alerts', path: '/alerts', page: true, verify: (body) => body.includes('</html>') },
    ];
    const server = await options.serve(database.url);
    try {
      for (const target of targets.filter((candidate) => options.includePages || !candidate.page)) {
        const url = `${server.baseUrl}${target.path}`;
        const headers = target.path.startsWith('/status') ? {} : viewer;
        const response = await fetch(url, { headers, redirect: 'manual' });
        const body = await response.text();
        check(response.status === 200, `${target.path} at ${size} runs answered ${response.status}: ${body.slice(0, 300)}`);
        check(target.verify(body), `${target.path} at ${size} runs does not show its content: ${body.slice(0, 300)}`);
        const alone = await p50Ms(ALONE_SAMPLES, async () => (await fetch(url, { headers, redirect: 'manual' })).arrayBuffer());
        if (options.warmUpSeconds > 0) await autocannon({ url, connections: options.connections, duration: options.warmUpSeconds, headers, verifyBody: target.verify });
        const result = await autocannon({ url, connections: options.connections, duration: options.durationSeconds, headers, verifyBody: target.verify });
        const bad = { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches };
        check(result.requests.total > 0 && Object.values(bad).every((count) => count === 0), `${target.path} at ${size} runs: ${JSON.stringify({ ...bad, total: result.requests.total })}`);
        measured.push({
          size, name: target.name, path: target.path.replace(deepCursor, '<cursor>').replace(middleId, '<id>'),
          aloneP50: alone, requestsPerSecond: round(result.requests.average, 1), p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, total: result.requests.total,
        });
      }
    } finally {
      await server.stop();
    }
  }

  const sizeList = options.databases.map((database) => database.size);
  const smallest = sizeList[0];
  const largest = sizeList[sizeList.length - 1];
  const at = (size: number | undefined, path: string) => measured.find((row) => row.size === size && row.path === path);
  const paths = [...new Set(measured.map((row) => row.path))];
  return {
    benchmark: 'history',
    rows: [
      ...options.databases.map((database) => ({
        metric: `${database.size} runs: seeding · status figures in-process (p50 of ${STATUS_SAMPLES}), now vs reading every run and attempt as before`,
        value: `${database.seedSeconds} s · ${database.statusMs} ms vs ${database.statusBeforeMs} ms (${database.runsInStatusPeriod} runs in its 92 days)`,
      })),
      ...paths.map((path) => ({
        metric: `${path} (${measured.find((row) => row.path === path)?.name}), ${options.connections} connections × ${options.durationSeconds} s: p50 / p99 at ${sizeList.join(' / ')} runs`,
        value: sizeList.map((size) => `${at(size, path)?.p50 ?? '–'} / ${at(size, path)?.p99 ?? '–'} ms (alone ${at(size, path)?.aloneP50 ?? '–'} ms)`).join(' · '),
      })),
    ],
    goals: paths.flatMap((path) => {
      const small = at(smallest, path);
      const large = at(largest, path);
      if (!small || !large) return [];
      const growth = large.p99 / Math.max(1, small.p99);
      return [
        { goal: `${path} p99 ≤ ${P99_GOAL_MS} ms at ${largest} runs`, measured: `${large.p99} ms`, met: large.p99 <= P99_GOAL_MS },
        { goal: `${path} p99 at ${largest} runs ≤ ${GROWTH_GOAL}× its ${smallest}-run figure`, measured: `${small.p99} → ${large.p99} ms (×${round(growth)})`, met: growth <= GROWTH_GOAL },
      ];
    }),
    details: {
      connections: options.connections, durationSeconds: options.durationSeconds, warmUpSeconds: options.warmUpSeconds,
      sizes: options.databases.map(({ url: _url, ...database }) => database), targets: measured,
    },
  };
}
