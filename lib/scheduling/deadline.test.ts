/**
 * With seeded history (five completed runs: a ≈ 10 min, b ≈ 20 min, c ≈ 15 min), a
 * scheduled run whose first step is deliberately slow raises `task.deadline_at_risk` while the deadline is still
 * ahead — as soon as now + remaining critical path passes it — then `task.deadline_missed` once it has passed.
 * The run is real (a worker holds step a); the scheduler's clock is simulated from the step's real start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, createWorker, definePipeline, type Logger, type PipelineRegistry, type Worker } from '@/lib/engine';
import { createMessageDelivery } from '@/lib/monitoring/delivery';
import { createDemoPagerDutySink } from '@/lib/demo/pagerduty-sink';
import { startCaptureServer, type CaptureServer } from '@/lib/monitoring/testing/capture-server';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { waitFor } from '@/tests/setup/wait';
import { getDeadlineForTask, watchDeadlines } from './deadline';
import { getTaskEta, remainingCriticalPath } from './eta';
import { createScheduler, type Scheduler } from './scheduler';
import { createSchedule } from './schedules';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const MINUTE = 60_000;

describe('critical path', () => {
  it('takes the longest remaining chain, crediting time already spent', () => {
    const medians = new Map([['a', 10 * MINUTE], ['b', 20 * MINUTE], ['x', 40 * MINUTE], ['c', 15 * MINUTE]]);
    const now = new Date('2025-03-10T02:00:00Z');
    const steps = [
      { name: 'a', status: 'running' as const, dependsOn: [], startedAt: new Date(now.getTime() - 4 * MINUTE) },
      { name: 'b', status: 'pending' as const, dependsOn: ['a'], startedAt: null },
      { name: 'x', status: 'completed' as const, dependsOn: [], startedAt: null },
      { name: 'c', status: 'pending' as const, dependsOn: ['b', 'x'], startedAt: null },
    ];
    expect(remainingCriticalPath(steps, medians, now)).toEqual({ remainingMs: (6 + 20 + 15) * MINUTE, path: ['a', 'b', 'c'] });
    // An overrunning step is expected to end any moment, never "negative" time.
    const late = new Date(now.getTime() + 30 * MINUTE);
    expect(remainingCriticalPath(steps, medians, late).remainingMs).toBe(35 * MINUTE);
  });
});

describe('deadline watch with ETA', () => {
  let testDb: TestDatabase;
  let capture: CaptureServer;
  let registry: PipelineRegistry;
  let worker: Worker;
  let scheduler: Scheduler;
  let clock = new Date();
  let releaseSlowStep: () => void = () => undefined;
  const slowStepReleased = new Promise<void>((resolve) => {
    releaseSlowStep = resolve;
  });

  // The firing: this minute (UTC) today; the deadline: one hour later.
  const firingAt = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
  const deadlineAt = new Date(firingAt.getTime() + 60 * MINUTE);
  const hhmm = (date: Date) => date.toISOString().slice(11, 16);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    capture = await startCaptureServer();
    registry = createRegistry();
    registry.register(
      definePipeline({
        namespace: 'test',
        name: 'nightly',
        version: '1',
        description: 'a chain whose first step is deliberately slow',
        input: z.object({}),
        steps: [
          {
            name: 'a',
            handler: async (ctx) => {
              await Promise.race([slowStepReleased, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
              return 'a';
            },
          },
          { name: 'b', dependsOn: 'a', handler: async () => 'b' },
          { name: 'c', dependsOn: 'b', handler: async () => 'c' },
        ],
      }),
    );

    // Seeded history: five completed runs a day apart; durations in minutes per step.
    const history = [
      [9, 19, 14],
      [10, 20, 15],
      [11, 22, 15],
      [10, 21, 16],
      [12, 18, 15],
    ];
    for (const [index, [a = 0, b = 0, c = 0]] of history.entries()) {
      const start = firingAt.getTime() - (index + 1) * 86_400_000;
      const task = await testDb.pool.query<{ id: string }>(
        `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, started_at, completed_at)
         VALUES ('test', 'nightly', '1', 'completed', '{}', 'seed', $1, $1, $2) RETURNING id`,
        [new Date(start), new Date(start + (a + b + c) * MINUTE)],
      );
      let cursor = start;
      for (const [position, [name, minutes]] of ([['a', a], ['b', b], ['c', c]] as const).entries()) {
        await testDb.pool.query(
          `INSERT INTO steps (pipeline, task_created_at, task_id, name, position, depends_on, retryable, retry_limit, status, attempt_count, started_at, completed_at)
           VALUES ('fixture/history@1', now(), $1, $2, $3, $4, true, 3, 'completed', 1, $5, $6)`,
          [task.rows[0]?.id, name, position, position === 0 ? [] : [['a', 'b'][position - 1]], new Date(cursor), new Date(cursor + minutes * MINUTE)],
        );
        cursor += minutes * MINUTE;
      }
    }

    await createSchedule(testDb.pool, {
      name: 'nightly',
      namespace: 'test',
      pipelineName: 'nightly',
      cronExpression: `${firingAt.getUTCMinutes()} ${firingAt.getUTCHours()} * * *`,
      timeZone: 'UTC',
      inputTemplate: {},
      deadlineLocalTime: hhmm(deadlineAt),
      activeFrom: new Date(firingAt.getTime() - MINUTE),
    });
    scheduler = createScheduler({
      db: testDb, registry, logger: quiet, now: () => clock, catchUpMaxAgeDays: 3, deadlinePageLeadMinutes: 10, tickMs: 60_000, linkBaseUrl: 'https://nightshift.example',
    });
    worker = createWorker({ db: testDb, registry, concurrency: 2, leaseMs: 5_000, heartbeatMs: 500, pollIntervalMs: 100, logger: quiet });
    await worker.start();
  });

  afterAll(async () => {
    releaseSlowStep();
    await worker?.stop({ graceMs: 2_000 });
    await capture?.close();
    await testDb?.drop();
  });

  const deadlineAlerts = async () =>
    (await testDb.pool.query<{ kind: string; severity: string }>(`SELECT kind, severity FROM alerts ORDER BY id`)).rows;

  it('warns in Slack when the forecast says late, pages once when less than the lead is left, and notes the miss without a second page', async () => {
    clock = new Date(firingAt.getTime() + 10_000);
    const [firing] = await scheduler.tick();
    const taskId = firing?.taskId ?? '';
    expect(firing?.created).toBe(true);
    const deadline = await getDeadlineForTask(testDb, taskId, { now: clock });
    expect(deadline).toMatchObject({ deadlineAt, scheduleName: 'nightly', timeZone: 'UTC', localTime: hhmm(deadlineAt), state: 'on_track' });

    const slowStart = await waitFor('the slow step to start', async () => {
      const row = await testDb.pool.query<{ startedAt: Date | null }>(`SELECT started_at AS "startedAt" FROM steps WHERE task_id = $1 AND name = 'a' AND status = 'running'`, [taskId]);
      return row.rows[0]?.startedAt ?? undefined;
    });
    const at = (minutes: number) => new Date(slowStart.getTime() + minutes * MINUTE);

    // 5 minutes in: 5 left of a's median 10, then b 20 and c 15 → ETA 45 minutes after the start. On track.
    clock = at(5);
    await scheduler.tick();
    const early = await getTaskEta(testDb, taskId, { now: clock });
    expect(early).toMatchObject({ status: 'running', remainingMs: 40 * MINUTE, historyRuns: 5, criticalPath: ['a', 'b', 'c'], stepsWithoutHistory: [] });
    expect(early?.etaAt?.getTime()).toBe(at(45).getTime());
    expect(await deadlineAlerts()).toEqual([]);

    // 30 minutes in, a is still running: ETA = now + 35 min, past the deadline (about 60 min after the start); every
    // one of the five nights replayed (b 18–22, c 14–16 minutes) finishes after it too. Half an hour is left, more
    // than the 10-minute lead: a warning, no page.
    clock = at(30);
    expect(clock.getTime()).toBeLessThan(deadlineAt.getTime());
    await scheduler.tick();
    await scheduler.tick();
    expect(await deadlineAlerts()).toEqual([{ kind: 'task.deadline_at_risk', severity: 'high' }]);
    const warned = (await testDb.pool.query<{ title: string }>(`SELECT title FROM alerts`)).rows[0]?.title;
    expect(warned).toContain('(100% of the last 5 runs replayed finish after it)');
    expect((await getDeadlineForTask(testDb, taskId, { now: clock }))?.state).toBe('at_risk');

    // High severity → #data-team, sent through the outbox.
    const delivery = createMessageDelivery({
      db: testDb,
      slackWebhookUrl: `${capture.url}/slack`,
      pagerDuty: createDemoPagerDutySink(testDb.pool),
      timeoutMs: 2_000,
      backoff: { baseMs: 20, capMs: 100 },
      maxAttempts: 3,
      pollIntervalMs: 50,
      logger: quiet,
    });
    await delivery.deliverDue();
    expect(capture.slack()).toHaveLength(1);
    expect(capture.slack()[0]).toMatchObject({ channel: '#data-team' });
    expect(String(capture.slack()[0]?.text)).toContain(`may miss its ${hhmm(deadlineAt)} UTC deadline`);
    expect(String(capture.slack()[0]?.text)).toContain(`expected to finish at ${hhmm(at(65))}`);

    expect(await testDb.pool.query(`SELECT 1 FROM demo.pagerduty_events`).then((result) => result.rowCount)).toBe(0);

    // Less than the 10-minute lead left, still forecast late: one page (critical → PagerDuty), however many ticks.
    clock = new Date(deadlineAt.getTime() - 8 * MINUTE);
    await scheduler.tick();
    await scheduler.tick();
    expect(await deadlineAlerts()).toEqual([
      { kind: 'task.deadline_at_risk', severity: 'high' },
      { kind: 'task.deadline_forecast_late', severity: 'critical' },
    ]);
    await delivery.deliverDue();
    const pages = await testDb.pool.query<{ eventAction: string }>(`SELECT event_action AS "eventAction" FROM demo.pagerduty_events`);
    expect(pages.rows).toEqual([{ eventAction: 'trigger' }]);

    // Past the deadline and still running: the miss is recorded and told to the team, but not paged again.
    clock = new Date(deadlineAt.getTime() + MINUTE);
    await scheduler.tick();
    await scheduler.tick();
    expect(await deadlineAlerts()).toEqual([
      { kind: 'task.deadline_at_risk', severity: 'high' },
      { kind: 'task.deadline_forecast_late', severity: 'critical' },
      { kind: 'task.deadline_missed', severity: 'high' },
    ]);
    expect((await getDeadlineForTask(testDb, taskId, { now: clock }))?.state).toBe('missed');
    await delivery.deliverDue();
    expect(capture.slack().map((body) => String(body.text)).some((text) => text.includes('missed its'))).toBe(true);
    expect(await testDb.pool.query(`SELECT 1 FROM demo.pagerduty_events`).then((result) => result.rowCount)).toBe(1);
  });
});

describe('a missed deadline without a forecast', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('pages once when the deadline passes with the run unfinished and no forecast paged before', async () => {
    const schedule = await createSchedule(testDb.pool, {
      name: 'fresh', namespace: 'test', pipelineName: 'fresh', cronExpression: '0 1 * * *', timeZone: 'UTC', inputTemplate: {}, deadlineLocalTime: '07:00',
      activeFrom: new Date('2026-03-01T00:00:00Z'),
    });
    // No history at all, so nothing is forecast; the run is still going at 07:01.
    const task = await testDb.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at) VALUES ('test', 'fresh', '1', 'running', '{}', 'schedule', '2026-03-10T01:00:00Z') RETURNING id`,
    );
    await testDb.pool.query(
      `INSERT INTO schedule_firings (schedule_id, scheduled_for, task_id, deadline_at) VALUES ($1, '2026-03-10T01:00:00Z', $2, '2026-03-10T07:00:00Z')`,
      [schedule?.id, task.rows[0]?.id],
    );
    const options = { logger: quiet, linkBaseUrl: 'https://nightshift.example' };
    expect(await watchDeadlines(testDb.pool, { ...options, now: new Date('2026-03-10T06:50:00Z') })).toEqual({ atRisk: [], missed: [], paged: [] });
    const missed = await watchDeadlines(testDb.pool, { ...options, now: new Date('2026-03-10T07:01:00Z') });
    expect(missed).toEqual({ atRisk: [], missed: [task.rows[0]?.id], paged: [task.rows[0]?.id] });
    await watchDeadlines(testDb.pool, { ...options, now: new Date('2026-03-10T07:05:00Z') });
    const alerts = await testDb.pool.query<{ kind: string; severity: string }>(`SELECT kind, severity FROM alerts`);
    expect(alerts.rows).toEqual([{ kind: 'task.deadline_missed', severity: 'critical' }]);
  });
});
