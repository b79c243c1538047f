/**
 * Backfills against real PostgreSQL with a real worker and event dispatcher: a 14-day backfill with max_parallel 2
 * never has more than 2 of its runs unfinished (sampled while two extra promoters race the event-driven one), and
 * every day gets exactly one run; two concurrent identical requests create one backfill; published days are
 * skipped (unless rebuild_published); cancel stops waiting days at once; retry reruns only the failed days. Then:
 * a backfill's run of the window due today publishes as a backfill (never the default view), and the scheduler's
 * catch-up after downtime becomes a backfill of the missed days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPool, type DbHandle } from '@/db/client';
import { publishRunSnapshot } from '@/lib/delivery/publish';
import {
  createEventDispatcher,
  createRegistry,
  definePipeline,
  PermanentError,
  type EventDispatcher,
  type Logger,
  type PipelineRegistry,
} from '@/lib/engine';
import { makeWorkerFactory, quietLogger, sleep, waitFor } from '@/lib/engine/test-fixtures/harness';
import { customerAnalyticsDelivery, customerAnalyticsPipeline } from '@/lib/pipelines/customer-analytics';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { createScheduler } from '@/lib/scheduling/scheduler';
import { ensureDefaultSchedule } from '@/lib/scheduling/schedules';
import { instantOf } from '@/lib/time/zoned-time';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { estimateBackfillRemainingMs } from './eta';
import { cancelBackfill, retryFailedDays } from './operations';
import { createBackfillSubscriber, promoteActiveBackfills, promoteBackfill } from './promote';
import { loadBackfill } from './read';
import { createBackfill, type BackfillPipelines, type CreateBackfillResult } from './request';
import { createCatchUpBackfill } from './catch-up';

const ACTOR = { actorId: null, actorLabel: 'ops@example.test' };
const OPERATOR = { ...ACTOR, origin: 'operator' as const };

/** Days whose run fails (permanently) while listed here; `holdOpen` keeps every run busy until cleared. */
const failingDays = new Set<string>();
const gate = { open: true };

const daily = definePipeline({
  namespace: 'test',
  name: 'daily',
  version: '1',
  description: 'one small run per day',
  input: z.object({ date_range: z.object({ start_date: z.iso.date(), end_date: z.iso.date() }), rebuild_published: z.boolean().default(false) }),
  steps: [
    {
      name: 'work',
      retryLimit: 0,
      handler: async (ctx) => {
        await sleep(200);
        while (!gate.open && !ctx.signal.aborted) await sleep(20);
        if (failingDays.has(ctx.context.date_range.end_date)) throw new PermanentError(`no data for ${ctx.context.date_range.end_date}`);
        return { day: ctx.context.date_range.end_date };
      },
    },
    { name: 'publish', dependsOn: 'work', handler: async () => ({ published: true }) },
  ],
});

/** test.daily is the delivered pipeline here: its input carries its window as customer_analytics' does. */
const dailyDelivery: DeliveredPipeline = {
  ...customerAnalyticsDelivery,
  namespace: 'test',
  name: 'daily',
  schedule: { ...customerAnalyticsDelivery.schedule, name: 'test_daily' },
};

const request = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
  pipeline: 'test.daily',
  start_date: start,
  end_date: end,
  reason: 'rebuild after a formula fix',
  ...extra,
});

function created(result: CreateBackfillResult) {
  if (!result.ok) throw new Error(`backfill refused: ${JSON.stringify(result.issues)}`);
  return result.backfill;
}

describe('backfills', () => {
  let testDb: TestDatabase;
  let otherProcess: DbHandle;
  let registry: PipelineRegistry;
  let pipelines: BackfillPipelines;
  let dispatcher: EventDispatcher;
  const workers = makeWorkerFactory();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    otherProcess = createPool(testDb.url, { max: 4, applicationName: 'nightshift-test-second-promoter' });
    registry = createRegistry();
    registry.register(daily);
    registry.register(customerAnalyticsPipeline);
    pipelines = { registry, delivered: dailyDelivery };
    await workers.start(testDb, registry, { concurrency: 6, pollIntervalMs: 100 });
    dispatcher = createEventDispatcher({ db: testDb, subscribers: [createBackfillSubscriber(testDb, pipelines)], pollIntervalMs: 50, logger: quietLogger });
    await dispatcher.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await workers.stopAll();
    await otherProcess?.close();
    await testDb?.drop();
  });

  const runsOf = async (backfillId: string) =>
    (
      await testDb.pool.query<{ day: string; task_id: string | null; status: string | null; state: string }>(
        `SELECT d.day::text AS day, d.task_id, t.status::text AS status, d.state
           FROM backfill_days d LEFT JOIN tasks t ON t.id = d.task_id WHERE d.backfill_id = $1 ORDER BY d.day`,
        [backfillId],
      )
    ).rows;

  const tasksForDay = async (day: string) =>
    Number(
      (
        await testDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE namespace = 'test' AND context->'date_range'->>'end_date' = $1`, [day])
      ).rows[0]?.n,
    );

  const finished = (backfillId: string, timeoutMs = 60_000) =>
    waitFor(
      `backfill ${backfillId} to finish`,
      async () => (await testDb.pool.query<{ status: string }>(`SELECT status FROM backfills WHERE id = $1`, [backfillId])).rows[0]?.status === 'finished',
      timeoutMs,
    );

  it('a 14-day backfill with max_parallel 2 never runs more than 2 at once, and every day gets exactly one run', async () => {
    const backfill = created(await createBackfill(testDb, pipelines, request('2026-01-01', '2026-01-14', { max_parallel: 2 }), OPERATOR));
    expect(backfill).toMatchObject({ created: true, days: 14, skipped: 0 });
    await promoteBackfill(testDb, pipelines, backfill.id);

    const samples: number[] = [];
    let launchOrder: string[] = [];
    for (;;) {
      // Two more promoters, on two pools, race the event-driven one on every sample.
      await Promise.all([promoteBackfill(testDb, pipelines, backfill.id), promoteBackfill(otherProcess, pipelines, backfill.id)]);
      const rows = await runsOf(backfill.id);
      samples.push(rows.filter((row) => row.status === 'pending' || row.status === 'running').length);
      launchOrder = rows.filter((row) => row.task_id).map((row) => row.day);
      if (rows.every((row) => row.status === 'completed')) break;
      await sleep(15);
    }
    await finished(backfill.id);
    // At least about one sample per wave of two days, however loaded the machine.
    expect(samples.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...samples)).toBe(2);

    const rows = await runsOf(backfill.id);
    expect(new Set(rows.map((row) => row.task_id)).size).toBe(14);
    for (const row of rows) expect(await tasksForDay(row.day)).toBe(1);
    // Oldest first: launch times follow the days.
    const launched = (
      await testDb.pool.query<{ day: string }>(`SELECT day::text AS day FROM backfill_days WHERE backfill_id = $1 ORDER BY launched_at, day`, [backfill.id])
    ).rows.map((row) => row.day);
    expect(launched).toEqual([...launchOrder].sort());

    const view = await loadBackfill(testDb, pipelines, backfill.id);
    expect(view?.status).toBe('finished');
    expect(view?.counts).toMatchObject({ total: 14, completed: 14, failed: 0, running: 0, waiting: 0 });
  }, 90_000);

  it('two concurrent requests for the same range create one backfill', async () => {
    const results = await Promise.all([
      createBackfill(testDb, pipelines, request('2026-02-01', '2026-02-03'), OPERATOR),
      createBackfill(otherProcess, pipelines, request('2026-02-01', '2026-02-03'), OPERATOR),
    ]);
    const [first, second] = results.map(created);
    expect(first?.id).toBe(second?.id);
    expect(results.map(created).filter((backfill) => backfill.created)).toHaveLength(1);
    const count = await testDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM backfills WHERE start_date = '2026-02-01'`);
    expect(Number(count.rows[0]?.n)).toBe(1);
    await promoteBackfill(testDb, pipelines, first?.id ?? '');
    await finished(first?.id ?? '');
    for (const day of ['2026-02-01', '2026-02-02', '2026-02-03']) expect(await tasksForDay(day)).toBe(1);
  }, 60_000);

  it('skips days that already have a published snapshot, unless rebuild_published', async () => {
    const publisher = await testDb.pool.query<{ id: string }>(`SELECT task_id AS id FROM backfill_days WHERE day = '2026-02-02'`);
    for (const day of ['2026-03-02', '2026-03-03']) {
      await testDb.pool.query(
        `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, kind, state, published_at)
         VALUES (gen_random_uuid(), $1, $1, '{}', 'delivery', 'published', now())`,
        [day],
      );
    }
    // A held snapshot is not published: that day still runs.
    await testDb.pool.query(
      `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, kind, state, published_at, held_at)
       VALUES (gen_random_uuid(), '2026-03-04', '2026-03-04', '{}', 'delivery', 'held', NULL, now())`,
    );
    expect(publisher.rows).toHaveLength(1);
    const backfill = created(await createBackfill(testDb, pipelines, request('2026-03-01', '2026-03-04'), OPERATOR));
    expect(backfill).toMatchObject({ days: 4, skipped: 2 });
    await promoteBackfill(testDb, pipelines, backfill.id);
    await finished(backfill.id);
    const rows = await runsOf(backfill.id);
    expect(rows.map((row) => [row.day, row.state])).toEqual([
      ['2026-03-01', 'launched'],
      ['2026-03-02', 'skipped'],
      ['2026-03-03', 'skipped'],
      ['2026-03-04', 'launched'],
    ]);
    expect(await tasksForDay('2026-03-02')).toBe(0);
    const view = await loadBackfill(testDb, pipelines, backfill.id);
    expect(view?.counts).toMatchObject({ completed: 2, skipped: 2 });

    const forced = created(await createBackfill(testDb, pipelines, request('2026-03-02', '2026-03-03', { rebuild_published: true }), OPERATOR));
    expect(forced.skipped).toBe(0);
    await promoteBackfill(testDb, pipelines, forced.id);
    await finished(forced.id);
    expect(await tasksForDay('2026-03-02')).toBe(1);
  }, 60_000);

  it('cancel stops waiting days at once and cancels the running ones', async () => {
    gate.open = false;
    try {
      const backfill = created(await createBackfill(testDb, pipelines, request('2026-04-01', '2026-04-08', { max_parallel: 2 }), OPERATOR));
      await promoteBackfill(testDb, pipelines, backfill.id);
      await waitFor('two runs to start', async () => (await runsOf(backfill.id)).filter((row) => row.status === 'running').length === 2);
      const result = await cancelBackfill(testDb, { backfillId: backfill.id, actor: ACTOR, reason: 'wrong range' });
      expect(result.cancelledDays).toEqual(['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07', '2026-04-08']);
      expect(result.cancelledRuns).toHaveLength(2);
      const rows = await runsOf(backfill.id);
      expect(rows.filter((row) => row.state === 'cancelled')).toHaveLength(6);
      expect(rows.filter((row) => row.task_id).map((row) => row.status)).toEqual(['cancelled', 'cancelled']);
      // Nothing launches afterwards, whoever promotes.
      await Promise.all([promoteBackfill(testDb, pipelines, backfill.id), promoteBackfill(otherProcess, pipelines, backfill.id)]);
      await sleep(300);
      expect((await runsOf(backfill.id)).filter((row) => row.task_id)).toHaveLength(2);
      const view = await loadBackfill(testDb, pipelines, backfill.id);
      expect(view).toMatchObject({ status: 'cancelled', counts: { cancelled: 8, waiting: 0, running: 0 } });
      await expect(cancelBackfill(testDb, { backfillId: backfill.id, actor: ACTOR, reason: 'again' })).rejects.toThrow(/nothing left to cancel/);
    } finally {
      gate.open = true;
    }
  }, 60_000);

  it('retry reruns only the failed days, each in its own run', async () => {
    failingDays.add('2026-05-02');
    failingDays.add('2026-05-04');
    const backfill = created(await createBackfill(testDb, pipelines, request('2026-05-01', '2026-05-05', { max_parallel: 3 }), OPERATOR));
    await promoteBackfill(testDb, pipelines, backfill.id);
    await finished(backfill.id);
    const before = await runsOf(backfill.id);
    expect(before.map((row) => row.status)).toEqual(['completed', 'failed', 'completed', 'failed', 'completed']);
    await expect(loadBackfill(testDb, pipelines, backfill.id)).resolves.toMatchObject({ counts: { completed: 3, failed: 2 } });

    failingDays.clear();
    const retried = await retryFailedDays(testDb, pipelines, { backfillId: backfill.id, actor: ACTOR, reason: 'source fixed' });
    expect(retried).toEqual(['2026-05-02', '2026-05-04']);
    await finished(backfill.id);
    const after = await runsOf(backfill.id);
    expect(after.map((row) => row.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
    expect(after.map((row) => row.task_id)).toEqual(before.map((row) => row.task_id));
    const attempts = await testDb.pool.query<{ day: string; n: number }>(
      `SELECT d.day::text AS day, count(a.*)::int AS n FROM backfill_days d JOIN step_attempts a ON a.task_id = d.task_id AND a.step_name = 'work'
        WHERE d.backfill_id = $1 GROUP BY d.day ORDER BY d.day`,
      [backfill.id],
    );
    expect(attempts.rows.map((row) => row.n)).toEqual([1, 2, 1, 2, 1]);
    await expect(retryFailedDays(testDb, pipelines, { backfillId: backfill.id, actor: ACTOR, reason: 'again' })).rejects.toThrow(/nothing to retry/);
    const audit = await testDb.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [`backfill:${backfill.id}`]);
    expect(audit.rows.map((row) => row.action)).toEqual(['backfill.create', 'backfill.retry_failed']);
  }, 60_000);

  it('refuses bad requests with every issue named, writing nothing', async () => {
    const before = await testDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM backfills`);
    const result = await createBackfill(testDb, pipelines, { pipeline: 'test.daily', start_date: '2026-02-30', end_date: '2026-01-01', max_parallel: 0, reason: 'x', extra: 1 }, OPERATOR);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path).sort()).toEqual(['', 'end_date', 'max_parallel', 'reason', 'start_date']);
    const unknown = await createBackfill(testDb, pipelines, request('2026-01-01', '2026-01-02', { pipeline: 'nope' }), OPERATOR);
    expect(unknown).toEqual({ ok: false, issues: [{ path: 'pipeline', message: 'no pipeline "nope" is registered' }] });
    // customer_analytics is registered here, but test.daily is the delivered pipeline: only its days are backfilled.
    const undelivered = await createBackfill(testDb, pipelines, request('2026-01-01', '2026-01-02', { pipeline: 'customer_analytics' }), OPERATOR);
    expect(undelivered).toEqual({
      ok: false,
      issues: [{ path: 'pipeline', message: '"customer_analytics" has no daily delivery to backfill; backfills fill the days of test.daily' }],
    });
    const after = await testDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM backfills`);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('a request without a pipeline is for the delivered one', async () => {
    const defaulted = created(await createBackfill(testDb, pipelines, { start_date: '2025-12-01', end_date: '2025-12-01', reason: 'default pipeline' }, OPERATOR));
    const stored = await testDb.pool.query<{ namespace: string; pipeline_name: string }>(`SELECT namespace, pipeline_name FROM backfills WHERE id = $1`, [defaulted.id]);
    expect(stored.rows).toEqual([{ namespace: 'test', pipeline_name: 'daily' }]);
    await cancelBackfill(testDb, { backfillId: defaulted.id, actor: ACTOR, reason: 'test done' });
  });

  it("a backfill's run of the window due today publishes as a backfill and never becomes the default view", async () => {
    const backfill = created(await createBackfill(testDb, pipelines, request('2026-06-01', '2026-06-01'), OPERATOR));
    await promoteBackfill(testDb, pipelines, backfill.id);
    await finished(backfill.id);
    const taskId = (await runsOf(backfill.id))[0]?.task_id ?? '';
    const policy = { pipeline: dailyDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2026-05-01T00:00:00Z') };
    const outcome = await publishRunSnapshot(testDb.pool, {
      taskId,
      window: { start: '2026-06-01', end: '2026-06-01' },
      summary: {},
      holdReasons: [],
      policy,
      routing: { linkBaseUrl: 'https://nightshift.example' },
      // On 2026-06-02 before the deadline this window is the day's delivery — but a backfill launched it.
      at: new Date('2026-06-02T05:00:00Z'),
    });
    expect(outcome).toMatchObject({ kind: 'backfill', isDefaultView: false });
  }, 30_000);

  it('estimates the remaining time from the step medians and the free slots', () => {
    expect(estimateBackfillRemainingMs({ runningRemainingMs: [1_000, 3_000], waiting: 3, perRunMs: 10_000, maxParallel: 2 })).toBe(21_000);
    expect(estimateBackfillRemainingMs({ runningRemainingMs: [], waiting: 0, perRunMs: 10_000, maxParallel: 2 })).toBe(0);
    expect(estimateBackfillRemainingMs({ runningRemainingMs: [], waiting: 5, perRunMs: 1_000, maxParallel: 1 })).toBe(5_000);
  });
});

describe("the scheduler's catch-up after downtime", () => {
  let testDb: TestDatabase;
  const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('launches the latest firing as the delivery and turns the missed days into one backfill', async () => {
    const zone = 'UTC';
    let clock = instantOf('2025-03-10', '00:30', zone);
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: zone, deadline: '07:00' }, clock);
    const registry = createRegistry();
    registry.register(customerAnalyticsPipeline);
    const pipelines = { registry, delivered: customerAnalyticsDelivery };
    const scheduler = createScheduler({
      db: testDb,
      registry,
      logger: quiet,
      now: () => clock,
      catchUpMaxAgeDays: 5,
      tickMs: 60_000,
      linkBaseUrl: 'https://nightshift.example',
      catchUp: createCatchUpBackfill(testDb, pipelines, quiet),
      onTick: () => promoteActiveBackfills(testDb, pipelines, quiet),
    });
    clock = instantOf('2025-03-10', '01:05', zone);
    expect(await scheduler.tick()).toHaveLength(1);
    // Down from the 10th to the 14th: the firings of the 11th, 12th and 13th were missed.
    clock = instantOf('2025-03-14', '02:00', zone);
    const fired = await scheduler.tick();
    expect(fired.map((firing) => firing.scheduledFor.toISOString())).toEqual(['2025-03-14T01:00:00.000Z']);
    const backfills = await testDb.pool.query<{ id: string; start_date: string; end_date: string; origin: string; requested_by: string }>(
      `SELECT id, start_date::text, end_date::text, origin, requested_by FROM backfills`,
    );
    expect(backfills.rows).toEqual([
      expect.objectContaining({ start_date: '2025-03-10', end_date: '2025-03-12', origin: 'catch_up', requested_by: 'schedule:customer_analytics_daily' }),
    ]);
    const days = await testDb.pool.query<{ day: string; state: string }>(`SELECT day::text AS day, state FROM backfill_days ORDER BY day`);
    // max_parallel (BACKFILL_MAX_PARALLEL, 2): the third day waits without a task.
    expect(days.rows).toEqual([
      { day: '2025-03-10', state: 'launched' },
      { day: '2025-03-11', state: 'launched' },
      { day: '2025-03-12', state: 'waiting' },
    ]);
    // The newest day first: the engine claims older runs first, so the delivery must be created before the history.
    const order = await testDb.pool.query<{ window: string }>(
      `SELECT context->'date_range'->>'end_date' AS window FROM tasks ORDER BY created_at, id`,
    );
    expect(order.rows.map((row) => row.window)).toEqual(['2025-03-09', '2025-03-13', '2025-03-10', '2025-03-11']);
    // A later tick adds nothing: the backfill is not created twice, the delivery not fired twice.
    clock = instantOf('2025-03-14', '02:15', zone);
    expect(await scheduler.tick()).toHaveLength(0);
    expect((await testDb.pool.query(`SELECT 1 FROM backfills`)).rowCount).toBe(1);
  });
});
