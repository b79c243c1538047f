/**
 * Benchmark 4 — dashboard under load: autocannon (20 connections, 10 s by default) against the dashboard's data
 * route and the `/` page as a signed-in viewer (an API token with the viewer role, sent as a bearer), and against
 * /status.json, with the pipeline benchmark's snapshot published. Each target is checked once in depth first (the
 * snapshot the benchmark published, its row counts), then every response under load must be a 200 carrying that
 * content (autocannon counts the others as non-2xx or mismatches, and any of those fails the benchmark). Each
 * measured run follows an unmeasured run of the same load and length.
 */
import autocannon from 'autocannon';
import { z } from 'zod';
import { createPool } from '@/db/client';
import { createApiToken } from '@/lib/auth/api-tokens';
import { makeBenchSnapshotDefault } from './support/default-view';
import { postgresCpuSeconds, processGroupCpuSeconds } from './support/processes';
import { check, percentile, round, type BenchmarkReport } from './support/report';

export interface DashboardLoadOptions {
  /** The app's database, for creating the viewer token. */
  databaseUrl: string;
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  /** What the pipeline benchmark published: the dashboard must show exactly this. */
  expected: { taskId: string; customers: number; products: number; windowEnd: string };
  /** False when no production build serves pages (the smoke test serves route handlers only). */
  includePage: boolean;
  /** For the CPU split under load: the Next server's process group and the PostgreSQL postmaster. */
  processes?: { nextGroupId: number; postmasterPid: number };
}

const SEQUENTIAL_SAMPLES = 20;
/**
 * Each target's measured run follows an unmeasured one of the same load and length. A fresh server's first
 * seconds under load are spent compiling hot code (V8 tiers functions up while they run) and loading modules on
 * first use: on 2 cores the data route's p99 was ~130-190 ms in its first 6 s of load and ~55-65 ms after, and a
 * 3 s warm-up still left runs at 163 ms. The goals are about the warm steady state; a cold server is the
 * cold-start benchmark's subject.
 */
/** The issue's goals per target path: p99 under load. */
const P99_GOALS_MS: Record<string, number> = { '/api/dashboard': 100, '/': 300, '/status.json': 100 };

const dashboardSchema = z.object({
  kind: z.literal('ready'),
  data: z.object({
    snapshot: z.object({ taskId: z.string(), customers: z.number(), products: z.number(), windowEnd: z.string() }),
    kpis: z.record(z.string(), z.unknown()).nullable(),
  }),
});
const statusSchema = z.object({ overall: z.object({ state: z.string() }), last_delivery: z.object({ window_end: z.string() }).nullable() });

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** The in-depth check of one response. */
  inspect(body: string): void;
  /** The cheap per-response check under load. */
  verify(body: string): boolean;
}

export async function runDashboardLoad(options: DashboardLoadOptions): Promise<BenchmarkReport> {
  const db = createPool(options.databaseUrl, { max: 1, applicationName: 'nightshift-bench' });
  let token: string;
  try {
    ({ token } = await createApiToken(db.db, { name: `bench viewer ${Date.now()}`, role: 'viewer' }, { actorLabel: 'bench' }));
    await makeBenchSnapshotDefault(db.pool, options.expected.taskId, 'dashboard load benchmark');
  } finally {
    await db.close();
  }
  const viewer = { authorization: `Bearer ${token}` };
  const { taskId, customers, products, windowEnd } = options.expected;
  const allTargets: Target[] = [
    {
      name: 'data route GET /api/dashboard (viewer)',
      path: '/api/dashboard',
      headers: viewer,
      inspect(body) {
        const parsed = dashboardSchema.parse(JSON.parse(body));
        const { snapshot } = parsed.data;
        check(snapshot.taskId === taskId, `the dashboard shows task ${snapshot.taskId}, not the benchmark's ${taskId}`);
        check(snapshot.customers === customers && snapshot.products === products, `the dashboard counts ${snapshot.customers} customers / ${snapshot.products} products, the pipeline ${customers} / ${products}`);
        check(snapshot.windowEnd.startsWith(windowEnd), `the dashboard's window ends ${snapshot.windowEnd}, not ${windowEnd}`);
        check(parsed.data.kpis !== null, 'the dashboard has no KPIs');
      },
      verify: (body) => body.includes('"kind":"ready"') && body.includes(`"taskId":"${taskId}"`),
    },
    {
      name: 'page GET / (viewer)',
      path: '/',
      headers: viewer,
      inspect(body) {
        check(body.includes('Executive dashboard') && body.includes('Key figures'), 'the page does not show the published dashboard');
      },
      verify: (body) => body.includes('Key figures'),
    },
    {
      name: 'GET /status.json (public)',
      path: '/status.json',
      headers: {},
      inspect(body) {
        const status = statusSchema.parse(JSON.parse(body));
        // The benchmark's snapshot is an ad-hoc window, never a daily delivery: the status page must not count it.
        check(status.last_delivery === null, 'status.json counts the ad-hoc benchmark snapshot as a delivery');
      },
      verify: (body) => body.includes('"last_delivery":null'),
    },
  ];
  const targets = allTargets.filter((target) => options.includePage || target.path !== '/');

  // A type alias, not an interface: it must fit the JSON details' index signature.
  type Measured = {
    name: string;
    path: string;
    requestsPerSecond: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
    /** One request at a time: wall time and the route's own Server-Timing database time (p50, ms). */
    alone: { p50: number; dbP50: number | null };
    /** CPU milliseconds per request under load. */
    cpuMsPerRequest: { next: number; postgres: number; loadGenerator: number } | null;
  };
  const measured: Measured[] = [];
  for (const target of targets) {
    const url = `${options.baseUrl}${target.path}`;
    // Warm-up and the in-depth check: the first render of a route compiles and fills caches; we measure steady state.
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(url, { headers: target.headers, redirect: 'manual' });
      const body = await response.text();
      check(response.status === 200, `${target.path} answered ${response.status}: ${body.slice(0, 300)}`);
      target.inspect(body);
    }
    const aloneMs: number[] = [];
    const dbMs: number[] = [];
    for (let index = 0; index < SEQUENTIAL_SAMPLES; index += 1) {
      const started = performance.now();
      const response = await fetch(url, { headers: target.headers, redirect: 'manual' });
      await response.arrayBuffer();
      aloneMs.push(performance.now() - started);
      const db = /db;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1];
      if (db !== undefined) dbMs.push(Number(db));
    }
    const cpu = () =>
      options.processes && {
        next: processGroupCpuSeconds(options.processes.nextGroupId),
        postgres: postgresCpuSeconds(options.processes.postmasterPid),
        loadGenerator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      };
    const warmUp = await autocannon({ url, connections: options.connections, duration: options.durationSeconds, headers: target.headers, verifyBody: target.verify });
    check(warmUp.non2xx + warmUp.errors + warmUp.timeouts + warmUp.mismatches === 0, `${target.name}: failures during the warm-up`);
    const cpuBefore = cpu();
    const result = await autocannon({ url, connections: options.connections, duration: options.durationSeconds, headers: target.headers, verifyBody: target.verify });
    const cpuAfter = cpu();
    const msPerRequest = (before: number, after: number) => round(((after - before) / Math.max(1, result.requests.total)) * 1000, 2);
    const bad = { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches };
    check(result.requests.total > 0 && Object.values(bad).every((count) => count === 0), `${target.name}: ${JSON.stringify({ ...bad, total: result.requests.total })}`);
    measured.push({
      name: target.name,
      path: target.path,
      requestsPerSecond: round(result.requests.average, 1),
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      total: result.requests.total,
      alone: { p50: round(percentile(aloneMs, 50), 1), dbP50: dbMs.length > 0 ? round(percentile(dbMs, 50), 1) : null },
      cpuMsPerRequest:
        cpuBefore && cpuAfter
          ? {
              next: msPerRequest(cpuBefore.next, cpuAfter.next),
              postgres: msPerRequest(cpuBefore.postgres, cpuAfter.postgres),
              loadGenerator: msPerRequest(cpuBefore.loadGenerator, cpuAfter.loadGenerator),
            }
          : null,
    });
  }

  check(measured[0]?.path === '/api/dashboard', 'the data route was not measured');
  return {
    benchmark: 'dashboard-load',
    rows: [
      ...measured.map((target) => ({
        metric: `${target.name}, ${options.connections} connections × ${options.durationSeconds} s`,
        value: `${target.requestsPerSecond} req/s · p50 ${target.p50} ms · p99 ${target.p99} ms`,
      })),
      ...measured.map((target) => ({
        metric: `profile ${target.path}: one request alone (p50, of which database) · CPU per request under load (Next + PostgreSQL)`,
        value:
          `${target.alone.p50} ms${target.alone.dbP50 === null ? '' : ` (db ${target.alone.dbP50} ms)`}` +
          (target.cpuMsPerRequest ? ` · ${target.cpuMsPerRequest.next} + ${target.cpuMsPerRequest.postgres} ms` : ''),
      })),
    ],
    goals: measured.map((target) => {
      const goalMs = P99_GOALS_MS[target.path] ?? 0;
      return { goal: `${target.path} p99 ≤ ${goalMs} ms (${options.connections} connections)`, measured: `${target.p99} ms`, met: target.p99 <= goalMs };
    }),
    details: { connections: options.connections, durationSeconds: options.durationSeconds, expected: options.expected, targets: measured },
  };
}
