/**
 * The status page computed in the database gives the same page as the derivation over every run and attempt of the
 * period. A generated, deterministic history (about 300 runs over 100 days: deliveries, late rescues, backfill-shaped
 * and ad-hoc windows, backfill launches, held and published snapshots, retries, operator operations, ties in creation
 * and completion time) is read two ways: loadPublicStatus, and the reference — every run through the engine's read
 * API classified the same way, and the recovery rate counted attempt by attempt in JavaScript (the rule as
 * lib/status/derive.ts states it) — then both go through deriveStatus and are compared field by field.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { listFinishedAttempts, listPipelineOperations, listPipelineRuns } from '@/lib/engine';
import { addDays } from '@/lib/time/zoned-time';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';
import { deriveStatus, type PublicStatus, type RecoveryFact } from './derive';
import { classifyRuns, factsSince, readStatusFacts } from './read-facts';
import { loadPublicStatus } from './index';

const UTC: DeliveryPolicy = { pipeline: customerAnalyticsDelivery, deadline: '07:00', timeZone: 'UTC', windowDays: 1, trackingSince: new Date('2025-06-01T00:00:00Z') };
const BERLIN: DeliveryPolicy = { ...UTC, timeZone: 'Europe/Berlin' };
const LAST_DAY = '2026-03-12';
const DAYS = 100;
const STEPS = ['extract_orders', 'update_dashboard'];
const RECOVERY_OUTCOMES = ['completed', 'failed', 'timed_out', 'lost'] as const;

/** A small deterministic generator (LCG), so a failure reproduces. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return { chance: (p: number) => next() < p, int: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

const minutes = (at: Date, count: number) => new Date(at.getTime() + count * 60_000);

async function seedHistory(testDb: TestDatabase): Promise<number> {
  const random = generator(20_260_311);
  const tasks: object[] = [];
  const steps: object[] = [];
  const attempts: object[] = [];
  const operations: object[] = [];
  const snapshots: object[] = [];
  const backfillTasks: string[] = [];
  let previousCreatedAt: Date | null = null;
  for (let offset = DAYS - 1; offset >= 0; offset -= 1) {
    const day = addDays(LAST_DAY, -offset);
    for (let index = random.int(0, 6); index > 0; index -= 1) {
      const id = randomUUID();
      const shape = random.pick(['delivery', 'delivery', 'delivery', 'late rescue', 'older window', 'ad hoc'] as const);
      const windowEnd = shape === 'older window' ? addDays(day, -random.int(2, 9)) : addDays(day, shape === 'late rescue' ? -2 : -1);
      const windowStart = shape === 'ad hoc' ? addDays(windowEnd, -2) : windowEnd;
      // Some runs share a creation instant with the previous one, so ties must break the same way both ways.
      const createdAt: Date = previousCreatedAt && random.chance(0.1) ? previousCreatedAt : minutes(new Date(`${day}T00:00:00Z`), random.int(0, 24 * 60 - 1));
      previousCreatedAt = createdAt;
      const status = random.pick(['completed', 'completed', 'completed', 'failed', 'failed', 'cancelled', 'running', 'pending'] as const);
      const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
      const completedAt = finished ? minutes(createdAt, random.int(5, 400)) : null;
      tasks.push({ id, status, context: { date_range: { start_date: windowStart, end_date: windowEnd } }, created_at: createdAt, completed_at: completedAt });
      if (random.chance(0.12)) backfillTasks.push(id);
      let clock = minutes(createdAt, 1);
      for (const [position, name] of STEPS.entries()) {
        const stepId = randomUUID();
        const stepStatus = status === 'running' && random.chance(0.5) ? 'retrying' : status === 'completed' ? 'completed' : random.pick(['completed', 'failed', 'pending'] as const);
        steps.push({ id: stepId, task_id: id, name, position, status: stepStatus, task_created_at: createdAt });
        const count = random.int(0, 3);
        for (let number = 1; number <= count; number += 1) {
          const startedAt = clock;
          const finishedAt = minutes(startedAt, random.int(1, 20));
          clock = minutes(finishedAt, random.int(0, 10));
          const outcome = random.pick(['completed', 'failed', 'failed', 'timed_out', 'lost', 'released'] as const);
          // The last attempt of an unfinished run may still be running.
          const open = !finished && number === count && random.chance(0.5);
          attempts.push({ task_id: id, step_id: stepId, step_name: name, attempt_number: number, started_at: startedAt, finished_at: open ? null : finishedAt, outcome: open ? null : outcome });
        }
      }
      if (random.chance(0.2)) {
        const stepName = random.pick([...STEPS, null]);
        operations.push({ task_id: id, step_name: stepName, affected_steps: stepName === null ? [random.pick(STEPS)] : random.chance(0.3) ? STEPS : [stepName], created_at: minutes(createdAt, random.int(0, 80)) });
      }
      if (status === 'completed' && completedAt && random.chance(0.85)) {
        const held = random.chance(0.15);
        snapshots.push({
          task_id: id, window_start: windowStart, window_end: windowEnd, state: held ? 'held' : 'published',
          published_at: held ? null : completedAt, kind: held ? null : random.pick([null, null, 'delivery', 'backfill']),
        });
      }
    }
  }
  await testDb.pool.query(
    `INSERT INTO tasks (id, namespace, name, version, status, context, initiator, created_at, completed_at)
     SELECT id, 'data_pipeline', 'customer_analytics', '1.0.0', status::task_status, context, 'test', created_at, completed_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, status text, context jsonb, created_at timestamptz, completed_at timestamptz)`,
    [JSON.stringify(tasks)],
  );
  await testDb.pool.query(
    `INSERT INTO steps (id, pipeline, task_created_at, task_id, name, position, status, retryable, retry_limit)
     SELECT id, 'fixture/equivalence@1', task_created_at, task_id, name, position, status::step_status, true, 3
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, task_id uuid, name text, position int, status text, task_created_at timestamptz)`,
    [JSON.stringify(steps)],
  );
  await testDb.pool.query(
    `INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at, outcome)
     SELECT task_id, step_id, step_name, attempt_number, 'worker-1', started_at, finished_at, started_at + interval '30 minutes', outcome::attempt_outcome
       FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, step_id uuid, step_name text, attempt_number int, started_at timestamptz, finished_at timestamptz, outcome text)`,
    [JSON.stringify(attempts)],
  );
  await testDb.pool.query(
    `INSERT INTO task_operations (task_id, operation, step_name, actor, affected_steps, created_at)
     SELECT task_id, 'retry_step', step_name, 'operator', ARRAY(SELECT jsonb_array_elements_text(affected_steps)), created_at
       FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, step_name text, affected_steps jsonb, created_at timestamptz)`,
    [JSON.stringify(operations)],
  );
  await testDb.pool.query(
    `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, published_at, is_current, summary, state, kind)
     SELECT task_id, window_start, window_end, published_at, false, '{}', state, kind
       FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, window_start date, window_end date, published_at timestamptz, state text, kind text)`,
    [JSON.stringify(snapshots)],
  );
  const backfill = await testDb.pool.query<{ id: string }>(
    `INSERT INTO backfills (namespace, pipeline_name, start_date, end_date, max_parallel, reason, requested_by, origin)
     VALUES ('data_pipeline', 'customer_analytics', '2025-12-01', '2026-03-12', 2, 'test', 'test', 'operator') RETURNING id`,
  );
  await testDb.pool.query(
    `INSERT INTO backfill_days (backfill_id, day, window_start, window_end, state, task_id)
     SELECT $1, '2025-12-01'::date + n::int, '2025-12-01'::date + n::int, '2025-12-01'::date + n::int, 'launched', task_id
       FROM unnest($2::uuid[]) WITH ORDINALITY AS b(task_id, n)`,
    [backfill.rows[0]!.id, backfillTasks],
  );
  return tasks.length;
}

/** The recovery rule of lib/status/derive.ts, attempt by attempt, over everything the engine's read API lists. */
async function recoveryAttemptByAttempt(testDb: TestDatabase, since: Date): Promise<RecoveryFact> {
  const pipeline = UTC.pipeline;
  const [runs, attempts, operations] = await Promise.all([
    listPipelineRuns(testDb.pool, pipeline, { createdSince: since }),
    listFinishedAttempts(testDb.pool, pipeline, { createdSince: since, outcomes: RECOVERY_OUTCOMES }),
    listPipelineOperations(testDb.pool, pipeline, { createdSince: since }),
  ]);
  const activeRuns = new Set(runs.filter((run) => run.status === 'pending' || run.status === 'running').map((run) => run.id));
  let recovered = 0;
  let known = 0;
  for (const failed of attempts) {
    if (failed.outcome === 'completed') continue;
    const fix = attempts
      .filter((later) => later.outcome === 'completed' && later.taskId === failed.taskId && later.stepName === failed.stepName && later.attemptNumber > failed.attemptNumber)
      .sort((a, b) => a.attemptNumber - b.attemptNumber)[0];
    if (!fix) {
      if (!activeRuns.has(failed.taskId)) known += 1;
      continue;
    }
    known += 1;
    const operatorStepped = operations.some(
      (operation) =>
        operation.taskId === failed.taskId &&
        (operation.stepName === failed.stepName || operation.affectedSteps.includes(failed.stepName)) &&
        operation.createdAt >= failed.finishedAt &&
        operation.createdAt <= fix.startedAt,
    );
    if (!operatorStepped) recovered += 1;
  }
  return { recovered, known };
}

async function statusFromEveryRun(testDb: TestDatabase, now: Date, policy: DeliveryPolicy): Promise<PublicStatus> {
  const since = factsSince(now, policy);
  const inDatabase = await readStatusFacts(testDb.pool, now, policy);
  const everyRun = await classifyRuns(testDb.pool, await listPipelineRuns(testDb.pool, policy.pipeline, { createdSince: since }), policy);
  return deriveStatus({ ...inDatabase, runs: everyRun, recovery: await recoveryAttemptByAttempt(testDb, since) }, now, policy);
}

describe('the status page computed in the database', () => {
  let testDb: TestDatabase;
  let seeded = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    seeded = await seedHistory(testDb);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  const cases: [string, string, DeliveryPolicy][] = [
    ['after the deadline', '2026-03-12T09:00:00Z', UTC],
    ['before the deadline', '2026-03-12T05:00:00Z', UTC],
    ['in the middle of the history', '2026-02-01T12:00:00Z', UTC],
    ['in another time zone', '2026-03-12T09:00:00Z', BERLIN],
  ];
  it.each(cases)('gives the page of every run and attempt %s', async (_name, at, policy) => {
    const now = new Date(at);
    const fromEveryRun = await statusFromEveryRun(testDb, now, policy);
    const status = await loadPublicStatus(testDb.pool, now, policy);
    expect(status).toEqual(fromEveryRun);

    // The comparison means something only if the history exercises the rules.
    const outcomes = new Set(status.history.map((day) => day.outcome));
    for (const outcome of ['on_time', 'late', 'failed', 'no_run'] as const) expect(outcomes, outcome).toContain(outcome);
    expect(status.automatic_recovery.numerator).toBeGreaterThan(0);
    expect(status.automatic_recovery.denominator).toBeGreaterThan(status.automatic_recovery.numerator);
    expect(status.incidents.length).toBeGreaterThan(0);
  });

  it('reads a bounded subset of the runs', async () => {
    const now = new Date('2026-03-12T09:00:00Z');
    const facts = await readStatusFacts(testDb.pool, now, UTC);
    const all = await listPipelineRuns(testDb.pool, UTC.pipeline, { createdSince: factsSince(now, UTC) });
    expect(seeded).toBeGreaterThan(200);
    expect(facts.runs.length).toBeGreaterThan(0);
    expect(facts.runs.length).toBeLessThan(all.length);
  });
});
