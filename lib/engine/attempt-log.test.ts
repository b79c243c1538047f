/**
 * Attempt logs with real workers and a real PostgreSQL: each attempt keeps its own lines (ctx.logger and progress,
 * with levels and times), a failed attempt's log ends with its error and every cause below it, a flood of lines or
 * bytes stops at the limits with one marker, lines of a running attempt are readable before it ends, and the lines
 * go with their attempt when retention purges it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask, MAX_LOG_BYTES, MAX_LOG_LINES, purgeHistory, readStepAttemptLogs, TRUNCATION_MARKER } from '@/lib/engine';
import { makeWorkerFactory, waitFor, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
let releaseSlow: () => void = () => undefined;
const slowReleased = new Promise<void>((resolve) => {
  releaseSlow = resolve;
});

const registry = createRegistry();
registry.register(
  definePipeline({
    namespace: 'test',
    name: 'logged',
    version: '1',
    description: 'steps that log',
    input: z.object({ flood: z.enum(['lines', 'bytes', 'none']).default('none') }),
    steps: [
      {
        name: 'flaky',
        retryLimit: 1,
        handler: async (ctx) => {
          ctx.logger.info({ page: 1 }, 'fetched page 1');
          ctx.progress('Processed 10 rows', 50);
          if (ctx.attempt === 1) {
            ctx.logger.warn({}, 'the source is slow');
            throw new Error('could not load the page', { cause: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }) });
          }
          ctx.logger.debug({}, 'done');
          return 'ok';
        },
      },
      {
        name: 'flood',
        dependsOn: 'flaky',
        handler: async (ctx) => {
          if (ctx.context.flood === 'lines') for (let index = 0; index < MAX_LOG_LINES + 500; index += 1) ctx.logger.info({}, `line ${index + 1}`);
          if (ctx.context.flood === 'bytes') for (let index = 0; index < 400; index += 1) ctx.logger.info({}, 'x'.repeat(1024));
          return 'flooded';
        },
      },
      {
        name: 'slow',
        dependsOn: 'flood',
        handler: async (ctx) => {
          ctx.logger.info({}, 'waiting for the release');
          await slowReleased;
          return 'released';
        },
      },
    ],
  }),
);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await workers.stopAll();
});
afterAll(async () => {
  releaseSlow();
  await testDb.drop();
});

describe('attempt logs', () => {
  it('keeps each attempt its own lines, the error with its causes, and streams a running attempt', async () => {
    await workers.start(testDb, registry);
    const { taskId } = await launchTask(testDb, registry, { namespace: 'test', name: 'logged', context: { flood: 'lines' }, initiator: 'test' });
    // The slow step's line is stored about a second after it is logged, while the step still runs.
    const running = await waitFor('the running attempt to show its line', async () => {
      const [attempt] = await readStepAttemptLogs(testDb.pool, taskId, 'slow');
      return attempt && attempt.outcome === null && attempt.lines.length > 0 ? attempt : undefined;
    });
    expect(running.lines.map((line) => line.message)).toEqual(['waiting for the release']);
    releaseSlow();
    await waitForTaskStatus(testDb, taskId, ['completed']);

    const flaky = await readStepAttemptLogs(testDb.pool, taskId, 'flaky');
    expect(flaky.map((attempt) => [attempt.attemptNumber, attempt.outcome])).toEqual([[2, 'completed'], [1, 'failed']]);
    const [second, first] = flaky;
    expect(first?.lines.map((line) => [line.level, line.message, line.fields])).toEqual([
      ['info', 'fetched page 1', { page: 1 }],
      ['info', 'Processed 10 rows', { percent: 50 }],
      ['warn', 'the source is slow', null],
      ['error', 'Error: could not load the page', null],
      ['error', 'caused by TypeError: fetch failed', null],
      ['error', 'caused by Error: connect ECONNREFUSED 127.0.0.1:9', null],
    ]);
    expect(second?.lines.map((line) => line.message)).toEqual(['fetched page 1', 'Processed 10 rows', 'done']);
    // Lines are numbered and timed in the order they were logged, within their attempt.
    for (const attempt of flaky) {
      expect(attempt.lines.map((line) => line.line)).toEqual(attempt.lines.map((_, index) => index + 1));
      const times = attempt.lines.map((line) => line.loggedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    const [flood] = await readStepAttemptLogs(testDb.pool, taskId, 'flood');
    expect(flood?.lines).toHaveLength(MAX_LOG_LINES + 1);
    expect(flood?.lines.at(-2)?.message).toBe(`line ${MAX_LOG_LINES}`);
    expect(flood?.lines.at(-1)).toMatchObject({ level: 'warn', message: TRUNCATION_MARKER });
  });

  it('stops at the byte limit with the same marker, and retention takes the lines with their attempts', async () => {
    await workers.start(testDb, registry);
    const { taskId } = await launchTask(testDb, registry, { namespace: 'test', name: 'logged', context: { flood: 'bytes' }, initiator: 'test' });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const [flood] = await readStepAttemptLogs(testDb.pool, taskId, 'flood');
    const kept = (flood?.lines ?? []).slice(0, -1);
    expect(kept.length).toBe(Math.floor(MAX_LOG_BYTES / 1024));
    expect(flood?.lines.at(-1)?.message).toBe(TRUNCATION_MARKER);

    const before = await testDb.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM step_attempt_logs`);
    expect(before.rows[0]?.count).toBeGreaterThan(0);
    // Every attempt is older than a day: a one-day retention purges the attempts, and their lines with them.
    await testDb.pool.query(`UPDATE step_attempts SET started_at = started_at - interval '2 days', finished_at = finished_at - interval '2 days'`);
    const purged = await purgeHistory(testDb.pool, { retentionDays: 1 });
    expect(purged.attempts).toBeGreaterThan(0);
    const after = await testDb.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM step_attempt_logs`);
    expect(after.rows[0]?.count).toBe(0);
  });
});
