/**
 * The deadline forecast's confidence against seeded history in a real PostgreSQL: five past nights replayed on an
 * in-flight run's remaining graph give five possible finishes; the share after the deadline is the probability of
 * being late, and "late" needs 80% of them. Durations are chosen so each expected share can be counted by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { forecastTask, shareAfter } from './forecast';

const MINUTE = 60_000;
const NOW = new Date('2026-03-10T02:30:00Z');

let testDb: TestDatabase;

async function seedTask(status: string, steps: { name: string; dependsOn: string[]; status: string; startedAt: Date | null; completedAt: Date | null }[], completedAt: Date | null, name = 'nightly'): Promise<string> {
  const { rows } = await testDb.pool.query<{ id: string }>(
    `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, completed_at)
     VALUES ('test', $3, '1', $1::task_status, '{}', 'seed', $2, $2) RETURNING id`,
    [status, completedAt ?? NOW, name],
  );
  const taskId = rows[0]?.id ?? '';
  for (const [position, step] of steps.entries()) {
    await testDb.pool.query(
      `INSERT INTO steps (pipeline, task_created_at, task_id, name, position, depends_on, retryable, retry_limit, status, attempt_count, started_at, completed_at)
       VALUES ('fixture/forecast@1', now(), $1, $2, $3, $4, true, 3, $5::step_status, 1, $6, $7)`,
      [taskId, step.name, position, step.dependsOn, step.status, step.startedAt, step.completedAt],
    );
  }
  if (status === 'completed') await testDb.pool.query(`UPDATE tasks SET completed_at = $2 WHERE id = $1`, [taskId, completedAt]);
  return taskId;
}

/** A finished night whose steps a and b took these minutes. */
const night = (day: number, a: number, b: number, name?: string) => {
  const start = new Date(NOW.getTime() - day * 86_400_000);
  const aEnd = new Date(start.getTime() + a * MINUTE);
  const bEnd = new Date(aEnd.getTime() + b * MINUTE);
  return seedTask('completed', [
    { name: 'a', dependsOn: [], status: 'completed', startedAt: start, completedAt: aEnd },
    { name: 'b', dependsOn: ['a'], status: 'completed', startedAt: aEnd, completedAt: bEnd },
  ], bEnd, name);
};

/** Tonight: a done, b running for 10 minutes. */
const tonight = (name?: string) =>
  seedTask('running', [
    { name: 'a', dependsOn: [], status: 'completed', startedAt: new Date(NOW.getTime() - 30 * MINUTE), completedAt: new Date(NOW.getTime() - 10 * MINUTE) },
    { name: 'b', dependsOn: ['a'], status: 'running', startedAt: new Date(NOW.getTime() - 10 * MINUTE), completedAt: null },
  ], null, name);

beforeAll(async () => {
  testDb = await createTestDatabase();
  // b took 20, 30, 40, 50 and 60 minutes on the five nights: 10 done, so 10, 20, 30, 40, 50 minutes left.
  for (const [day, b] of [[1, 20], [2, 30], [3, 40], [4, 50], [5, 60]] as const) await night(day, 5, b);
});
afterAll(async () => {
  await testDb?.drop();
});

describe('deadline forecast', () => {
  it('says late only when at least 80% of the replayed nights finish after the deadline', async () => {
    const taskId = await tonight();
    // Deadline 25 minutes away: finishes at +10, +20 are on time, +30, +40, +50 late → 60%: not late enough.
    const unsure = await forecastTask(testDb, taskId, { now: NOW, deadlineAt: new Date(NOW.getTime() + 25 * MINUTE) });
    expect(unsure).toMatchObject({ historyRuns: 5, lateProbability: 0.6, late: false });
    // The median ETA: b's median of 40, 10 done → 30 minutes from now.
    expect(unsure?.etaAt?.getTime()).toBe(NOW.getTime() + 30 * MINUTE);
    // Deadline 15 minutes away: only +10 is on time → 80%: late.
    const sure = await forecastTask(testDb, taskId, { now: NOW, deadlineAt: new Date(NOW.getTime() + 15 * MINUTE) });
    expect(sure).toMatchObject({ lateProbability: 0.8, late: true });
    // The next run 45 minutes away: only +50 overruns it → 20%.
    const overrun = await forecastTask(testDb, taskId, {
      now: NOW, deadlineAt: new Date(NOW.getTime() + 15 * MINUTE), nextRunAt: new Date(NOW.getTime() + 45 * MINUTE),
    });
    expect(overrun).toMatchObject({ overrunProbability: 0.2, overrunsNextRun: false });
    // The next run 5 minutes away: every replayed night overruns it.
    const blocked = await forecastTask(testDb, taskId, {
      now: NOW, deadlineAt: new Date(NOW.getTime() + 60 * MINUTE), nextRunAt: new Date(NOW.getTime() + 5 * MINUTE),
    });
    expect(blocked).toMatchObject({ lateProbability: 0, late: false, overrunProbability: 1, overrunsNextRun: true });
  });

  it('forecasts nothing with fewer than five nights of history', async () => {
    for (const day of [1, 2, 3, 4]) await night(day, 5, 90, 'young');
    const taskId = await tonight('young');
    const forecast = await forecastTask(testDb, taskId, { now: NOW, deadlineAt: new Date(NOW.getTime() + MINUTE) });
    expect(forecast).toMatchObject({ historyRuns: 4, lateProbability: null, late: false });
    expect(forecast?.etaAt).not.toBeNull();
  });

  it('counts the share of finishes after a limit', () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);
    expect(shareAfter([], at(0))).toBe(0);
    expect(shareAfter([at(1), at(2), at(3), at(4)], at(2))).toBe(0.5);
  });
});
