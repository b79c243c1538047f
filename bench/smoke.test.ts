/**
 * The benchmarks in a tiny configuration, part of `npm test`: each one runs end to end against a real PostgreSQL and
 * its correctness checks must pass (every step / job exactly once, the pipeline's rows equal to the bare-SQL rows,
 * the dashboard answering 200 with the published snapshot). Figures are not asserted: they mean nothing at this size.
 *
 * The `/` page and cold start need a production build and `npm start`; they run only in `npm run bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase } from '@/tests/setup/http';
import { runDashboardLoad } from './dashboard-load';
import { runHandoffLatency } from './handoff-latency';
import { prepareHistoryDatabase, runHistory } from './history';
import { runPipelineAtScale } from './pipeline-at-scale';
import { startBenchPostgres, type BenchPostgres } from './support/postgres';
import { runThroughput } from './throughput';

describe('benchmarks, tiny configuration', () => {
  let throughputDb: TestDatabase;
  let pipelineDb: TestDatabase;
  // Hand-off timing reads commit timestamps, a server-start setting the shared test server does not have.
  let handoffServer: BenchPostgres;

  beforeAll(async () => {
    [throughputDb, pipelineDb, handoffServer] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      startBenchPostgres('smoke', { commitTimestamps: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([throughputDb?.drop(), pipelineDb?.drop(), handoffServer?.stop()]);
  });

  it('throughput: every step and every graphile-worker job runs exactly once', async () => {
    // Two rounds: the second runs on the emptied database, and its checks (every step exactly once) must hold again.
    const report = await runThroughput({ url: throughputDb.url, tasks: 3, historyTasks: 20, processes: 2, concurrency: 2, rounds: 2 });
    expect(report.details.nightshift).toMatchObject({ steps: 30 });
    expect(report.details.nightshiftWithHistory).toMatchObject({ steps: 30 });
    // graphile-worker brackets the Nightshift run: once before, once after, each draining the same 30 jobs.
    expect(report.details.graphileRuns).toMatchObject([{ jobs: 30 }, { jobs: 30 }]);
    expect(report.details.graphile).toMatchObject({ jobs: 60 });
    expect(report.goals).toHaveLength(2);
    expect(report.details.rounds).toHaveLength(2);
    // Both sides write: a zero (or NaN) would mean the WAL positions were read on the wrong server or not at all.
    const wal = report.rows.find((row) => row.metric.startsWith('WAL written per step / job'));
    expect(wal?.value).toMatch(/^Nightshift [1-9]\d* B · graphile-worker [1-9]\d* B$/);
  });

  it('hand-off latency: every link runs once, after its predecessor committed', async () => {
    const report = await runHandoffLatency({ url: handoffServer.url, chainLength: 8, processes: 2, concurrency: 2 });
    expect(report.details.samples).toBe(7);
    expect(report.goals.map((goal) => goal.goal)).toEqual(['hand-off p50 ≤ 3 ms', 'hand-off p95 ≤ 10 ms']);
  });

  it('pipeline at scale and dashboard load: the pipeline equals the bare-SQL bound, the dashboard serves its snapshot', async () => {
    // Before the pipeline runs: validating its input reads the settings, which are parsed once per process.
    const forgetAppDatabase = useAppDatabase(pipelineDb.url);
    const pipeline = await runPipelineAtScale({ url: pipelineDb.url, orders: 1_000, days: 7, customers: 100, products: 50, seed: 7 });
    expect(pipeline.report.details.rowsDiffering).toEqual({ customers: 0, products: 0 });
    expect(pipeline.customers).toBeGreaterThan(0);

    const server = await serveRoutes({
      '/api/dashboard': await import('@/app/api/dashboard/route'),
      '/status.json': await import('@/app/status.json/route'),
    });
    try {
      const report = await runDashboardLoad({
        databaseUrl: pipelineDb.url,
        baseUrl: server.url,
        connections: 2,
        durationSeconds: 1,
        expected: { taskId: pipeline.taskId, customers: pipeline.customers, products: pipeline.products, windowEnd: pipeline.windowEnd },
        includePage: false,
      });
      expect(report.details.targets).toHaveLength(2);
      // A p99 goal per target measured, with the bound.
      expect(report.goals.map((goal) => goal.goal)).toEqual(['/api/dashboard p99 ≤ 100 ms (2 connections)', '/status.json p99 ≤ 100 ms (2 connections)']);
    } finally {
      await server.close();
      await forgetAppDatabase();
    }
  });

  it('history: seeds the fixture set-based and serves the runs, status and dashboard data', async () => {
    // One size: the settings (DATABASE_URL among them) are parsed once per process, so one database serves the routes.
    const historyDb = await createTestDatabase();
    const forgetAppDatabase = useAppDatabase(historyDb.url);
    try {
      const database = await prepareHistoryDatabase(historyDb.url, 3_000);
      // A minute apart and ending now, every seeded run is in the status page's period.
      expect(database.runsInStatusPeriod).toBe(3_000);
      const seeded = await historyDb.pool.query<{ tasks: number; failed: number; failedAttempts: number }>(
        `SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM tasks WHERE status = 'failed') AS failed,
                (SELECT count(*)::int FROM step_attempts WHERE outcome = 'failed') AS "failedAttempts"`,
      );
      // Half the runs failed, each after four failed attempts of its first dependent step.
      expect(seeded.rows[0]).toEqual({ tasks: 3_000, failed: 1_500, failedAttempts: 6_000 });
      const server = await serveRoutes({
        '/api/live/runs': await import('@/app/api/live/runs/route'),
        '/status.json': await import('@/app/status.json/route'),
        '/api/dashboard': await import('@/app/api/dashboard/route'),
      });
      try {
        const report = await runHistory({
          databases: [database],
          connections: 2,
          durationSeconds: 1,
          warmUpSeconds: 0,
          includePages: false,
          serve: async () => ({ baseUrl: server.url, stop: async () => {} }),
        });
        expect(report.details.targets).toHaveLength(3);
        expect(report.goals.map((goal) => goal.goal)).toEqual([
          '/api/live/runs p99 ≤ 100 ms at 3000 runs', '/api/live/runs p99 at 3000 runs ≤ 1.5× its 3000-run figure',
          '/status.json p99 ≤ 100 ms at 3000 runs', '/status.json p99 at 3000 runs ≤ 1.5× its 3000-run figure',
          '/api/dashboard p99 ≤ 100 ms at 3000 runs', '/api/dashboard p99 at 3000 runs ≤ 1.5× its 3000-run figure',
        ]);
      } finally {
        await server.close();
      }
    } finally {
      await forgetAppDatabase();
      await historyDb.drop();
    }
  });
});
