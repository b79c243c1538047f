/**
 * The ready-queue core under concurrency, against real PostgreSQL: joins become ready exactly once when their
 * parents finish at the same moment, a claim racing a cancel never starts a cancelled step, a stale attempt is
 * fenced off, nothing of a finished task stays claimable, a handler that ignores its abort keeps its slot, and a
 * completion batch claims along only what it made ready (or, when told more is ready, up to its limit).
 * The internal one-call operations are driven directly (on separate pooled connections) to force the races.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { withTransaction } from '@/db/transaction';
import { assertCurrentAttempt, cancelTask, createRegistry, definePipeline, launchTask, StaleAttemptError, type PipelineRegistry } from '@/lib/engine';
import { claimSteps, pipelineKey, type ClaimedStep } from './claim-steps';
import { completeAndClaim, completeAttempt, completeAttempts, createCompletionBatcher, type ClaimRequest } from './complete-attempt';
import { failAttempt } from './fail-attempt';
import { makeWorkerFactory, sleep, stepStates, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await workers.stopAll();
});
afterAll(async () => {
  await workers.stopAll();
  await testDb.drop();
});

const noop = async () => null;
const diamond = definePipeline({
  namespace: 'queue',
  name: 'diamond',
  version: '1',
  description: 'a → (b, c) → d',
  input: z.object({}),
  steps: [
    { name: 'a', handler: noop },
    { name: 'b', dependsOn: 'a', handler: noop },
    { name: 'c', dependsOn: 'a', handler: noop },
    { name: 'd', dependsOn: ['b', 'c'], handler: noop },
  ],
});
const fanOut = definePipeline({
  namespace: 'queue',
  name: 'fan_out',
  version: '1',
  description: 'eight independent steps and one that waits for them all',
  input: z.object({}),
  steps: [
    ...Array.from({ length: 8 }, (_, index) => ({ name: `s${index}`, handler: noop })),
    { name: 'join', dependsOn: Array.from({ length: 8 }, (_, index) => `s${index}`), handler: noop },
  ],
});
const registry = createRegistry();
registry.register(diamond);
registry.register(fanOut);
const pipelines = [diamond, fanOut].map(({ namespace, name, version }) => ({ namespace, name, version }));

const launch = (name: string) => launchTask(testDb, registry, { namespace: 'queue', name, context: {}, initiator: 'test' });
const claim = (limit: number, workerId = 'test-worker') => claimSteps(testDb.pool, { workerId, limit, leaseMs: 30_000, pipelines });
const complete = (step: ClaimedStep) => completeAttempt(testDb.pool, { attemptId: step.attemptId, resultJson: JSON.stringify({ step: step.stepName }) });

async function claimOnly(taskId: string, names: string[]): Promise<ClaimedStep[]> {
  const claimed = await claim(100);
  const mine = claimed.filter((step) => step.taskId === taskId).sort((x, y) => x.stepName.localeCompare(y.stepName));
  expect(mine.map((step) => step.stepName)).toEqual([...names].sort());
  return mine;
}

/** Ready-index rows (exactly the partial index's predicate) of the given tasks. */
async function readyRows(taskIds: string[]): Promise<{ taskId: string; name: string }[]> {
  const rows = await testDb.pool.query<{ taskId: string; name: string }>(
    `SELECT task_id AS "taskId", name FROM steps
      WHERE status IN ('pending', 'retrying') AND waiting_for = 0 AND task_id = ANY ($1::uuid[])`,
    [taskIds],
  );
  return rows.rows;
}

describe('ready queue', () => {
  it('makes a join ready exactly once when its two parents complete at the same moment (50 rounds)', async () => {
    for (let round = 0; round < 50; round += 1) {
      const { taskId } = await launch('diamond');
      const [a] = await claimOnly(taskId, ['a']);
      expect(await complete(a!)).toBe(2);
      const parents = await claimOnly(taskId, ['b', 'c']);
      // Both completions run at once on two connections; each locks the task row first, so one of them takes d to 0.
      const madeReady = await Promise.all(parents.map(complete));
      expect(madeReady.sort()).toEqual([0, 1]);
      const [d] = await claimOnly(taskId, ['d']);
      // d is claimed with every ancestor's result: a's too, through b and c.
      expect(d?.results).toEqual({ a: { step: 'a' }, b: { step: 'b' }, c: { step: 'c' } });
      expect(await claim(100)).toEqual([]);
      await complete(d!);
      expect(await stepStates(testDb, taskId)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
      const task = await testDb.pool.query(`SELECT status, unfinished_steps FROM tasks WHERE id = $1`, [taskId]);
      expect(task.rows[0]).toEqual({ status: 'completed', unfinished_steps: 0 });
      const attempts = await testDb.pool.query(`SELECT count(*)::int AS n FROM step_attempts WHERE task_id = $1`, [taskId]);
      expect(attempts.rows[0]?.n).toBe(4);
    }
  });

  it('makes a join of eight parents ready exactly once when all eight complete concurrently (20 rounds)', async () => {
    for (let round = 0; round < 20; round += 1) {
      const { taskId } = await launch('fan_out');
      const parents = await claimOnly(taskId, Array.from({ length: 8 }, (_, index) => `s${index}`));
      const madeReady = await Promise.all(parents.map(complete));
      expect(madeReady.filter((count) => count === 1)).toHaveLength(1);
      expect(madeReady.filter((count) => count === 0)).toHaveLength(7);
      const [join] = await claimOnly(taskId, ['join']);
      await complete(join!);
      await waitForTaskStatus(testDb, taskId, ['completed'], 2_000);
    }
  });

  it('completes batches: concurrent batches of siblings make the join ready once, and a fenced attempt does not affect its batch', async () => {
    for (let round = 0; round < 20; round += 1) {
      const first = await launch('fan_out');
      const second = await launch('fan_out');
      const claimed = await claim(100);
      const firstParents = claimed.filter((step) => step.taskId === first.taskId);
      const secondParents = claimed.filter((step) => step.taskId === second.taskId);
      expect([firstParents.length, secondParents.length]).toEqual([8, 8]);
      // Two batches, each holding siblings of both tasks, committed at once: the task rows are taken in the same order.
      const batches = [
        [...firstParents.slice(0, 4), ...secondParents.slice(4)],
        [...secondParents.slice(0, 4), ...firstParents.slice(4)],
      ];
      const outcomes = await Promise.all(
        batches.map((batch) => completeAttempts(testDb.pool, batch.map((step) => ({ attemptId: step.attemptId, resultJson: JSON.stringify({ step: step.stepName }) })))),
      );
      // Every attempt completed; across both batches exactly one join of each task became ready.
      expect(outcomes.flat().every((count) => count !== undefined)).toBe(true);
      expect(outcomes.flat().reduce<number>((sum, count) => sum + (count ?? 0), 0)).toBe(2);
      const joins = await claim(100);
      expect(joins.map((step) => [step.taskId, step.stepName]).sort()).toEqual([[first.taskId, 'join'], [second.taskId, 'join']].sort());
      expect(Object.keys(joins[0]!.results).sort()).toEqual(Array.from({ length: 8 }, (_, index) => `s${index}`));
      await Promise.all(joins.map(complete));
      await waitForTaskStatus(testDb, first.taskId, ['completed'], 2_000);
      await waitForTaskStatus(testDb, second.taskId, ['completed'], 2_000);
      const events = await testDb.pool.query<{ name: string; n: number }>(
        `SELECT name, count(*)::int AS n FROM task_events WHERE task_id = $1 GROUP BY name ORDER BY name`,
        [first.taskId],
      );
      expect(events.rows).toEqual([
        { name: 'step.completed', n: 9 },
        { name: 'step.started', n: 9 },
        { name: 'task.completed', n: 1 },
        { name: 'task.started', n: 1 },
      ]);
    }

    // A batch with a superseded attempt: that one answers undefined and changes nothing; the rest complete.
    const { taskId } = await launch('fan_out');
    const parents = await claimOnly(taskId, Array.from({ length: 8 }, (_, index) => `s${index}`));
    await cancelTask(testDb, { taskId, actor: 'test', reason: 'fence one' }).catch(() => undefined);
    const other = await launch('diamond');
    const [a] = await claimOnly(other.taskId, ['a']);
    const mixed = await completeAttempts(testDb.pool, [parents[0]!, a!].map((step) => ({ attemptId: step.attemptId, resultJson: '{"ok":true}' })));
    expect(mixed).toEqual([undefined, 2]);
    expect((await stepStates(testDb, taskId)).s0).toBe('cancelled');
    expect((await stepStates(testDb, other.taskId)).a).toBe('completed');
  });

  it('never starts a cancelled step: claims racing a cancel (30 rounds)', async () => {
    for (let round = 0; round < 30; round += 1) {
      const { taskId } = await launch('fan_out');
      const claims = Array.from({ length: 4 }, (_, index) => sleep(round % 3).then(() => claim(2, `racer-${index}`)));
      const cancel = cancelTask(testDb, { taskId, actor: 'test', reason: 'race' });
      const [claimed, cancelled] = await Promise.all([Promise.all(claims), cancel]);
      // After the cancel committed, no claim finds anything of the task, and nothing of it is claimable or open.
      expect((await claim(100)).filter((step) => step.taskId === taskId)).toEqual([]);
      expect(await readyRows([taskId])).toEqual([]);
      const open = await testDb.pool.query(`SELECT count(*)::int AS n FROM step_attempts WHERE task_id = $1 AND finished_at IS NULL`, [taskId]);
      expect(open.rows[0]?.n).toBe(0);
      const states = await stepStates(testDb, taskId);
      expect(Object.values(states).every((status) => status === 'cancelled')).toBe(true);
      // Every step some racer did claim was cancelled with its attempt closed as cancelled.
      for (const step of claimed.flat().filter((candidate) => candidate.taskId === taskId)) {
        expect(cancelled).toContain(step.stepName);
        expect(await complete(step)).toBeUndefined();
      }
    }
  });

  it('fences a stale attempt: once superseded it can neither complete nor fail its step, nor write through assertCurrentAttempt', async () => {
    const { taskId } = await launch('diamond');
    const [first] = await claimOnly(taskId, ['a']);
    // The first attempt's lease runs out (its worker froze): recovery declares it lost, and the step is claimed again.
    await testDb.pool.query(`UPDATE step_attempts SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [first!.attemptId]);
    const lost = await failAttempt(testDb.pool, {
      attemptId: first!.attemptId,
      budgetAttempts: first!.budgetAttempts,
      outcome: 'lost',
      onlyIfLeaseExpired: true,
      backoff: { baseMs: 0, capMs: 0 },
      error: { errorClass: 'LeaseExpiredError', message: 'lost', stack: null, retryable: true, retryAfterMs: undefined },
    });
    expect(lost).toBe('retrying');
    const [second] = await claimOnly(taskId, ['a']);
    expect(second!.attemptId).not.toBe(first!.attemptId);

    // The frozen worker wakes up: every write of the old attempt is refused.
    await expect(
      withTransaction(testDb.pool, (client) => assertCurrentAttempt(client, { taskId, stepName: 'a', attemptId: first!.attemptId })),
    ).rejects.toBeInstanceOf(StaleAttemptError);
    expect(await complete(first!)).toBeUndefined();
    const failed = await failAttempt(testDb.pool, {
      attemptId: first!.attemptId,
      budgetAttempts: first!.budgetAttempts,
      outcome: 'failed',
      backoff: { baseMs: 0, capMs: 0 },
      error: { errorClass: 'Error', message: 'late failure', stack: null, retryable: false, retryAfterMs: undefined },
    });
    expect(failed).toBe('fenced');
    expect((await stepStates(testDb, taskId)).a).toBe('running');

    // The current attempt still may write and complete.
    await withTransaction(testDb.pool, (client) => assertCurrentAttempt(client, { taskId, stepName: 'a', attemptId: second!.attemptId }));
    expect(await complete(second!)).toBe(2);
    const attempts = await testDb.pool.query<{ outcome: string }>(
      `SELECT outcome FROM step_attempts WHERE task_id = $1 AND step_name = 'a' ORDER BY attempt_number`,
      [taskId],
    );
    expect(attempts.rows.map((row) => row.outcome)).toEqual(['lost', 'completed']);
  });

  it('leaves no step of a failed or cancelled task in the ready index', async () => {
    const failing = await launch('diamond');
    const [a] = await claimOnly(failing.taskId, ['a']);
    await complete(a!);
    const [b, c] = await claimOnly(failing.taskId, ['b', 'c']);
    const permanent = { errorClass: 'PermanentError', message: 'broken', stack: null, retryable: false, retryAfterMs: undefined };
    expect(await failAttempt(testDb.pool, { attemptId: b!.attemptId, budgetAttempts: 1, outcome: 'failed', backoff: { baseMs: 0, capMs: 0 }, error: permanent })).toBe('failed');
    // d is blocked at once (its other parent is still running): the task is not finished until c is.
    expect(await stepStates(testDb, failing.taskId)).toMatchObject({ b: 'failed', c: 'running', d: 'blocked' });
    await complete(c!);
    await waitForTaskStatus(testDb, failing.taskId, ['failed'], 2_000);

    const cancelled = await launch('fan_out');
    await claim(3);
    await cancelTask(testDb, { taskId: cancelled.taskId, actor: 'test' });

    expect(await readyRows([failing.taskId, cancelled.taskId])).toEqual([]);
    const everything = await testDb.pool.query(
      `SELECT count(*)::int AS n FROM steps s JOIN tasks t ON t.id = s.task_id
        WHERE s.status IN ('pending', 'retrying') AND s.waiting_for = 0 AND t.status IN ('failed', 'cancelled', 'completed')`,
    );
    expect(everything.rows[0]?.n).toBe(0);
    // The claim plan reads the partial index, not the table.
    const plan = await testDb.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM steps WHERE status IN ('pending', 'retrying') AND waiting_for = 0
                 AND (run_after IS NULL OR run_after <= now()) AND pipeline = ANY ($1::text[])
               ORDER BY task_created_at, position LIMIT 8 FOR UPDATE SKIP LOCKED`,
      [pipelines.map(pipelineKey)],
    );
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('steps_ready_idx');
  });

  it('keeps claiming while lease recovery waits for a lock held by a vanished session', async () => {
    // A step whose worker is gone (lease expired) while a session still holds its task row — what a host that
    // vanished inside a transaction leaves behind until the server notices it.
    const { taskId: stuckTaskId } = await launch('diamond');
    const [stuck] = await claimOnly(stuckTaskId, ['a']);
    await testDb.pool.query(`UPDATE step_attempts SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [stuck!.attemptId]);
    const holder = await testDb.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM tasks WHERE id = $1 FOR NO KEY UPDATE`, [stuckTaskId]);
      await workers.start(testDb, registry, { concurrency: 2, pollIntervalMs: 200 });
      const { taskId } = await launch('diamond');
      // Recovery of the stuck step is blocked on the held row; the other task runs to the end meanwhile.
      await waitForTaskStatus(testDb, taskId, ['completed'], 5_000);
      expect((await stepStates(testDb, stuckTaskId)).a).toBe('running');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    // Once the lock is gone, recovery records the lost attempt and the step runs again.
    await waitForTaskStatus(testDb, stuckTaskId, ['completed'], 10_000);
    const outcomes = await testDb.pool.query<{ outcome: string }>(`SELECT outcome FROM step_attempts WHERE step_id = $1 ORDER BY attempt_number`, [stuck!.stepId]);
    expect(outcomes.rows.map((row) => row.outcome)).toEqual(['lost', 'completed']);
  });

  it('keeps the slot of a timed-out handler that ignores its abort: never more handlers than the concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const stubborn = definePipeline({
      namespace: 'queue',
      name: 'stubborn',
      version: '1',
      description: 'handlers that ignore their abort signal',
      input: z.object({}),
      steps: Array.from({ length: 4 }, (_, index) => ({
        name: `slow${index}`,
        timeoutMs: 150,
        retryLimit: 0,
        handler: async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(600); // ignores ctx.signal on purpose
          running -= 1;
          return null;
        },
      })),
    });
    const stubbornRegistry: PipelineRegistry = createRegistry();
    stubbornRegistry.register(stubborn);
    await workers.start(testDb, stubbornRegistry, { concurrency: 2, abandonHandlerAfterMs: 5_000 });
    const { taskId } = await launchTask(testDb, stubbornRegistry, { namespace: 'queue', name: 'stubborn', context: {}, initiator: 'test' });
    await waitForTaskStatus(testDb, taskId, ['failed'], 10_000);
    await sleep(700);
    expect(maxRunning).toBe(2);
    const outcomes = await testDb.pool.query<{ outcome: string }>(`SELECT outcome FROM step_attempts WHERE task_id = $1`, [taskId]);
    expect(outcomes.rows.map((row) => row.outcome)).toEqual(['timed_out', 'timed_out', 'timed_out', 'timed_out']);
  });

  it('claims along with a completion batch: what the batch made ready, more only when told more is ready, never past the limit', async () => {
    await claim(1_000); // Earlier tests may have left ready steps: take them out of the way.
    const request = (limit: number, any: boolean): ClaimRequest => ({ workerId: 'along', pipelines, leaseMs: 30_000, limit, any });
    const result = (step: ClaimedStep) => ({ attemptId: step.attemptId, resultJson: JSON.stringify({ step: step.stepName }) });

    const { taskId } = await launch('diamond');
    const [a] = await claimOnly(taskId, ['a']);
    const waiting = await launch('fan_out'); // nine ready steps of a newer task, nobody was told about

    // a makes b and c ready: with room for five but nothing else known, the batch claims two (oldest task first), no more.
    const afterA = await completeAndClaim(testDb.pool, [result(a!)], request(5, false));
    expect(afterA.outcomes).toEqual([2]);
    expect(afterA.claimed.map((step) => [step.taskId, step.stepName]).sort()).toEqual([[taskId, 'b'], [taskId, 'c']]);

    // A completion that makes nothing ready (d still waits for c) claims nothing, though nine steps are ready.
    const [b, c] = [...afterA.claimed].sort((x, y) => x.stepName.localeCompare(y.stepName));
    const quiet = await completeAndClaim(testDb.pool, [result(b!)], request(5, false));
    expect(quiet).toEqual({ outcomes: [0], claimed: [] });

    // Told more is ready (p_claim_any): up to the limit and not one more — d, then the fan-out's oldest.
    const told = await completeAndClaim(testDb.pool, [result(c!)], request(3, true));
    expect(told.outcomes).toEqual([1]);
    expect(told.claimed.map((step) => [step.taskId, step.stepName]).sort()).toEqual(
      [[taskId, 'd'], [waiting.taskId, 's0'], [waiting.taskId, 's1']].sort(),
    );
    const first = b;

    // A fenced attempt answers undefined and still lets the batch claim; the claimed attempts are real and open.
    const fenced = await completeAndClaim(testDb.pool, [result(first!)], request(1, true));
    expect(fenced.outcomes).toEqual([undefined]);
    expect(fenced.claimed).toHaveLength(1);
    const open = await testDb.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM step_attempts WHERE id = ANY ($1::bigint[]) AND finished_at IS NULL AND worker_id = 'along'`,
      [[...told.claimed, ...fenced.claimed].map((step) => step.attemptId)],
    );
    expect(open.rows[0]?.n).toBe(4);
  });

  it('releases the claim of a batch whose call failed, and completes its good attempts one by one without claiming', async () => {
    await claim(1_000);
    const { taskId } = await launch('fan_out');
    const [good, bad] = await claimOnly(taskId, Array.from({ length: 8 }, (_, index) => `s${index}`));
    const calls: string[] = [];
    const batcher = createCompletionBatcher(testDb.pool, {
      claimAlong: {
        request: () => ({ workerId: 'along', pipelines, leaseMs: 30_000, limit: 4, any: true }),
        claimed: () => calls.push('claimed'),
        abandoned: () => calls.push('abandoned'),
      },
    });
    // Both go in one batch (same turn of the event loop); the malformed result makes the whole call fail.
    const outcomes = await Promise.allSettled([
      batcher.complete({ attemptId: good!.attemptId, resultJson: '{"ok":true}' }),
      batcher.complete({ attemptId: bad!.attemptId, resultJson: '{not json' }),
    ]);
    expect(calls).toEqual(['abandoned']);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { madeReady: 0, claimedAlong: false } });
    expect(outcomes[1]?.status).toBe('rejected');
    const states = await stepStates(testDb, taskId);
    expect([states[good!.stepName], states[bad!.stepName]]).toEqual(['completed', 'running']);
    const claimedByAlong = await testDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM step_attempts WHERE worker_id = 'along' AND task_id = $1`, [taskId]);
    expect(claimedByAlong.rows[0]?.n).toBe(0);
  });
});
