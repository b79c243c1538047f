/**
 * Acceptance 8 (and progress): the outbox holds the expected sequence for a run with a retry; the dispatcher
 * delivers in order, retries a throwing subscriber without skipping, and a new dispatcher resumes from the
 * subscriber's deliveries. Progress is throttled, persisted and announced with NOTIFY.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  createEventDispatcher,
  createRegistry,
  definePipeline,
  EVENTS_CHANNEL,
  launchTask,
  listTaskEvents,
  type DeliveredEvent,
  type EventDispatcher,
} from '@/lib/engine';
import { eventsOf, makeWorkerFactory, quietLogger, sleep, waitFor, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
const dispatchers: EventDispatcher[] = [];

const withRetry = definePipeline({
  namespace: 'events',
  name: 'with_retry',
  version: '1',
  description: 'one retry',
  input: z.object({}),
  steps: [
    {
      name: 'extract',
      handler: async (ctx) => {
        if (ctx.attempt === 1) throw new Error('first attempt fails');
        return { rows: 3 };
      },
    },
    { name: 'load', dependsOn: 'extract', handler: async () => ({ loaded: 3 }) },
  ],
});

const chatty = definePipeline({
  namespace: 'events',
  name: 'chatty',
  version: '1',
  description: 'reports progress often',
  input: z.object({}),
  steps: [
    {
      name: 'count',
      handler: async (ctx) => {
        for (let index = 1; index <= 50; index += 1) {
          ctx.progress(`Processed ${index * 100}/5000 orders (${index * 2}.0%)`, index * 2);
          await sleep(40);
        }
        return 'counted';
      },
    },
  ],
});

const registry = createRegistry();
registry.register(withRetry);
registry.register(chatty);

beforeAll(async () => {
  testDb = await createTestDatabase();
  await workers.start(testDb, registry, { backoff: { baseMs: 20, capMs: 100 } });
});
afterAll(async () => {
  await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
  await workers.stopAll();
  await testDb.drop();
});

const startDispatcher = async (subscribers: Parameters<typeof createEventDispatcher>[0]['subscribers']) => {
  const dispatcher = createEventDispatcher({
    db: testDb,
    subscribers,
    pollIntervalMs: 200,
    retryBackoff: { baseMs: 20, capMs: 200 },
    logger: quietLogger,
  });
  dispatchers.push(dispatcher);
  await dispatcher.start();
  return dispatcher;
};

describe('events', () => {
  let taskId = '';
  const expected = [
    ['task.started', null, null],
    ['step.started', 'extract', 1],
    ['step.retrying', 'extract', 1],
    ['step.started', 'extract', 2],
    ['step.completed', 'extract', 2],
    ['step.started', 'load', 1],
    ['step.completed', 'load', 1],
    ['task.completed', null, null],
  ];

  it('writes the expected outbox sequence for a run with a retry', async () => {
    ({ taskId } = await launchTask(testDb, registry, { namespace: 'events', name: 'with_retry', context: {}, initiator: 'test' }));
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const events = await eventsOf(testDb, taskId);
    expect(events.map((event) => [event.name, event.stepName, event.attempt])).toEqual(expected);

    const stored = await listTaskEvents(testDb, taskId);
    const retrying = stored.find((event) => event.name === 'step.retrying');
    expect(retrying?.payload).toMatchObject({
      namespace: 'events',
      taskName: 'with_retry',
      taskId,
      stepName: 'extract',
      attempt: 1,
      error: { class: 'Error', message: 'first attempt fails', retryable: true },
    });
    const completed = stored.find((event) => event.name === 'step.completed' && event.stepName === 'load');
    // step.started and step.completed store only what their row and task do not say; the read puts the rest back.
    expect(completed?.payload).toMatchObject({ namespace: 'events', taskName: 'with_retry', taskId, stepName: 'load', attempt: 1, resultSummary: '{"loaded":3}' });
    const started = stored.find((event) => event.name === 'step.started' && event.stepName === 'extract');
    expect(started?.payload).toEqual({ namespace: 'events', taskName: 'with_retry', taskId, stepName: 'extract', attempt: 1 });
    expect(typeof (completed?.payload as { durationMs?: unknown }).durationMs).toBe('number');
  });

  it('delivers in order, retries a throwing subscriber on the same event, and resumes where the stopped dispatcher left off', async () => {
    const deliveredToFlaky: DeliveredEvent[] = [];
    const deliveredToSteady: DeliveredEvent[] = [];
    let failuresLeft = 2;
    let calls = 0;
    /** While true, the 4th event blocks in the handler until the first dispatcher is stopped, as if its process died mid-delivery. */
    let firstProcessAlive = true;
    const flaky = {
      name: 'flaky-subscriber',
      events: ['task.started', 'step.started', 'step.retrying', 'step.completed', 'task.completed'] as const,
      async handle(event: DeliveredEvent) {
        if (event.taskId !== taskId) return;
        calls += 1;
        if (event.name === 'step.retrying' && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('subscriber crashed');
        }
        if (deliveredToFlaky.length === 3 && firstProcessAlive) {
          await waitFor('the first dispatcher to stop', async () => !firstProcessAlive);
          throw new Error('process died mid-delivery');
        }
        deliveredToFlaky.push(event);
      },
    };
    const steady = {
      name: 'steady-subscriber',
      events: ['step.completed'] as const,
      async handle(event: DeliveredEvent) {
        if (event.taskId === taskId) deliveredToSteady.push(event);
      },
    };

    const first = await startDispatcher([flaky, steady]);
    await waitFor('three events for the flaky subscriber', async () => calls >= 6);
    firstProcessAlive = false;
    await first.stop();
    expect(deliveredToFlaky).toHaveLength(3);

    await startDispatcher([flaky, steady]);
    await waitFor('all events delivered', async () => deliveredToFlaky.length >= expected.length);
    await sleep(300);

    expect(deliveredToFlaky.map((event) => [event.name, event.stepName, event.payload.attempt ?? null])).toEqual(expected);
    // Every event once, plus the two crashes on step.retrying and the delivery interrupted by the "process death".
    expect(calls).toBe(expected.length + 3);
    expect(deliveredToSteady.map((event) => event.stepName)).toEqual(['extract', 'load']);
    const subscribers = await testDb.pool.query<{ name: string }>(`SELECT name FROM event_subscribers ORDER BY name`);
    expect(subscribers.rows.map((row) => row.name)).toEqual(['flaky-subscriber', 'steady-subscriber']);
    const pending = await testDb.pool.query(`SELECT 1 FROM event_deliveries WHERE task_id = $1 AND delivered_at IS NULL`, [taskId]);
    expect(pending.rowCount).toBe(0);
  });

  it('throttles progress to about one write per second, persists the latest and announces it', async () => {
    const listener = new pg.Client({ connectionString: testDb.url });
    await listener.connect();
    const announced: string[] = [];
    listener.on('notification', (message) => announced.push(message.payload ?? ''));
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    try {
      const { taskId: chattyTask } = await launchTask(testDb, registry, { namespace: 'events', name: 'chatty', context: {}, initiator: 'test' });
      await waitFor('progress to be persisted', async () => {
        const row = await testDb.pool.query(`SELECT 1 FROM steps WHERE task_id = $1 AND progress_message IS NOT NULL`, [chattyTask]);
        return row.rowCount === 1;
      });
      await waitForTaskStatus(testDb, chattyTask, ['completed']);
      const progress = (await listTaskEvents(testDb, chattyTask)).filter((event) => event.name === 'step.progress');
      // 50 calls over ~2 s: the first at once, then at most about one a second, plus the final flush.
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.length).toBeLessThanOrEqual(5);
      const step = await testDb.pool.query<{ message: string; percent: number }>(
        `SELECT progress_message AS message, progress_percent AS percent FROM steps WHERE task_id = $1`,
        [chattyTask],
      );
      expect(step.rows[0]).toEqual({ message: 'Processed 5000/5000 orders (100.0%)', percent: 100 });
      await waitFor('a NOTIFY for the task', async () => announced.includes(chattyTask), 5_000);
    } finally {
      await listener.end();
    }
  });
});
