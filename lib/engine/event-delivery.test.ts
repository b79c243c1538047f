/**
 * Event delivery per subscriber and per task: two dispatchers deliver every event exactly once and in order per
 * task; a subscriber that throws on one event keeps receiving other tasks' events, the event backs off, becomes a
 * dead letter after the limit, and one resend delivers it once; an event that commits after later ids were fanned
 * out is still delivered; retention purges only what is done.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTransaction } from '@/db/transaction';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import {
  createEventDispatcher,
  createRegistry,
  definePipeline,
  DeliveryNotDeadError,
  launchTask,
  listDeadEventDeliveries,
  purgeHistory,
  resendEventDelivery,
  type DeliveredEvent,
  type EventDispatcher,
  type Subscriber,
} from '@/lib/engine';
import { makeWorkerFactory, quietLogger, sleep, waitFor, waitForTaskStatus } from './test-fixtures/harness';

let testDb: TestDatabase;
const workers = makeWorkerFactory();
let dispatchers: EventDispatcher[] = [];

const threeSteps = definePipeline({
  namespace: 'delivery',
  name: 'three_steps',
  version: '1',
  description: 'a, then b and c in parallel',
  input: z.object({}),
  steps: [
    { name: 'a', handler: async () => ({ ok: true }) },
    { name: 'b', dependsOn: 'a', handler: async () => ({ ok: true }) },
    { name: 'c', dependsOn: 'a', handler: async () => ({ ok: true }) },
  ],
});
const registry = createRegistry();
registry.register(threeSteps);

beforeAll(async () => {
  testDb = await createTestDatabase();
  await workers.start(testDb, registry, { concurrency: 8, pollIntervalMs: 100 });
});
afterEach(async () => {
  await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
  dispatchers = [];
});
afterAll(async () => {
  await workers.stopAll();
  await testDb.drop();
});

const startDispatcher = async (subscriber: Subscriber, maxDeliveryAttempts = 10) => {
  const dispatcher = createEventDispatcher({
    db: testDb,
    subscribers: [subscriber],
    pollIntervalMs: 100,
    retryBackoff: { baseMs: 50, capMs: 200 },
    maxDeliveryAttempts,
    batchSize: 20,
    logger: quietLogger,
  });
  dispatchers.push(dispatcher);
  await dispatcher.start();
  return dispatcher;
};

const launch = async () => (await launchTask(testDb, registry, { namespace: 'delivery', name: 'three_steps', context: {}, initiator: 'test' })).taskId;

const storedEventIds = async (taskIds: string[], names: readonly string[]) => {
  const { rows } = await testDb.pool.query<{ id: string; taskId: string }>(
    `SELECT id, task_id AS "taskId" FROM task_events WHERE task_id = ANY ($1::uuid[]) AND name = ANY ($2::text[]) ORDER BY id`,
    [taskIds, names],
  );
  return rows.map((row) => ({ id: Number(row.id), taskId: row.taskId }));
};

describe('event delivery', () => {
  it('two dispatchers deliver each event exactly once, in order per task', async () => {
    const received: { event: DeliveredEvent; by: string }[] = [];
    const events = ['task.started', 'step.started', 'step.completed', 'task.completed'] as const;
    const subscriberFor = (by: string): Subscriber => ({
      name: 'exactly-once',
      events,
      async handle(event) {
        // A slow handler widens the window in which the other dispatcher could take the same event.
        await sleep(2);
        received.push({ event, by });
      },
    });
    await startDispatcher(subscriberFor('first'));
    await startDispatcher(subscriberFor('second'));
    const taskIds = await Promise.all(Array.from({ length: 30 }, () => launch()));
    await Promise.all(taskIds.map((taskId) => waitForTaskStatus(testDb, taskId, ['completed'])));
    const stored = await storedEventIds(taskIds, events);
    expect(stored).toHaveLength(30 * 8);
    await waitFor('every event delivered', async () => received.filter((item) => taskIds.includes(item.event.taskId)).length >= stored.length);
    await sleep(300);

    const ours = received.filter((item) => taskIds.includes(item.event.taskId));
    expect(ours.map((item) => item.event.id).sort((a, b) => a - b)).toEqual(stored.map((event) => event.id));
    // Both dispatchers took part, and each task's events arrived in outbox order.
    expect(new Set(ours.map((item) => item.by))).toEqual(new Set(['first', 'second']));
    for (const taskId of taskIds) {
      const ids = ours.filter((item) => item.event.taskId === taskId).map((item) => item.event.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(ours.filter((item) => item.event.taskId === taskId).map((item) => item.event.name).at(-1)).toBe('task.completed');
    }
  });

  it("a subscriber that throws on one event still gets other tasks' events; the event becomes a dead letter, and one resend delivers it once", async () => {
    const poisoned = await launch();
    await waitForTaskStatus(testDb, poisoned, ['completed']);
    let healed = false;
    const delivered: DeliveredEvent[] = [];
    const failures: number[] = [];
    const subscriber: Subscriber = {
      name: 'throws-on-one',
      events: ['step.started', 'step.completed', 'task.completed'],
      async handle(event) {
        if (!healed && event.taskId === poisoned && event.name === 'step.completed' && event.stepName === 'a') {
          failures.push(Date.now());
          throw new Error('dashboard webhook answered 500');
        }
        delivered.push(event);
      },
    };
    await startDispatcher(subscriber, 4);

    // Other tasks flow while the poisoned event fails and backs off.
    const others = await Promise.all(Array.from({ length: 5 }, () => launch()));
    await waitFor('the other tasks delivered', async () =>
      others.every((taskId) => delivered.some((event) => event.taskId === taskId && event.name === 'task.completed')),
    );
    await waitFor('the poisoned event to be a dead letter', async () => (await listDeadEventDeliveries(testDb.pool)).length === 1);
    expect(failures).toHaveLength(4);
    // The gaps between attempts grew (exponential back-off, base 50 ms with jitter: ≥ 25, 50, 100 ms).
    expect(failures[3]! - failures[0]!).toBeGreaterThanOrEqual(150);
    const [dead] = await listDeadEventDeliveries(testDb.pool);
    expect(dead).toMatchObject({ subscriber: 'throws-on-one', eventName: 'step.completed', taskId: poisoned, stepName: 'a', attempts: 4 });
    expect(dead?.lastError).toContain('dashboard webhook answered 500');
    // Once dead, it no longer holds back the rest of its task.
    await waitFor('the poisoned task to finish delivering', async () => delivered.some((event) => event.taskId === poisoned && event.name === 'task.completed'));
    expect(delivered.filter((event) => event.taskId === poisoned && event.name === 'step.completed' && event.stepName === 'a')).toHaveLength(0);

    healed = true;
    const audited: string[] = [];
    const actor = { actor: 'operator@nightshift.test', alsoInTransaction: async () => void audited.push('resend') };
    await resendEventDelivery(testDb.pool, dead!.id, actor);
    await expect(resendEventDelivery(testDb.pool, dead!.id, actor)).rejects.toBeInstanceOf(DeliveryNotDeadError);
    await waitFor('the resent event delivered', async () => delivered.some((event) => event.id === dead!.eventId));
    await sleep(400);
    expect(delivered.filter((event) => event.id === dead!.eventId)).toHaveLength(1);
    expect(audited).toEqual(['resend']);
    expect(await listDeadEventDeliveries(testDb.pool)).toEqual([]);
  });

  it('delivers an event whose transaction commits after later events were fanned out', async () => {
    const delivered: DeliveredEvent[] = [];
    await startDispatcher({ name: 'late-commits', events: ['task.operation', 'task.completed'], handle: async (event) => void delivered.push(event) });
    const early = await launch();
    await waitForTaskStatus(testDb, early, ['completed']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // This transaction draws its outbox id now and commits only after a later task's events were delivered.
    const late = withTransaction(testDb.pool, async (client) => {
      await client.query(
        `INSERT INTO task_events (task_id, name, payload) VALUES ($1, 'task.operation', '{"late": true}'::jsonb)`,
        [early],
      );
      await held;
    });
    const later = await launch();
    await waitFor('the later task delivered', async () => delivered.some((event) => event.taskId === later && event.name === 'task.completed'));
    release();
    await late;
    await waitFor('the late event delivered', async () => delivered.some((event) => event.name === 'task.operation' && event.payload.late === true));
    const lateEvent = delivered.find((event) => event.name === 'task.operation');
    const laterEvent = delivered.find((event) => event.taskId === later && event.name === 'task.completed');
    expect(lateEvent!.id).toBeLessThan(laterEvent!.id);
  });

  it('purges delivered events and finished attempts past the retention in batches, never undelivered or dead ones', async () => {
    // The earlier tests' subscribers run nowhere now; retired, their pending deliveries go with them.
    await testDb.pool.query(`DELETE FROM event_subscribers`);
    const subscriber: Subscriber = { name: 'retention-probe', events: ['step.completed'], handle: async () => undefined };
    await startDispatcher(subscriber);
    const oldTasks = await Promise.all(Array.from({ length: 3 }, () => launch()));
    await Promise.all(oldTasks.map((taskId) => waitForTaskStatus(testDb, taskId, ['completed'])));
    // A purge stops at the first row inside the retention period, so the recent run starts after the old ones.
    const recent = await launch();
    await waitForTaskStatus(testDb, recent, ['completed']);
    await waitFor('deliveries done', async () => {
      const { rows } = await testDb.pool.query(
        `SELECT 1 FROM event_deliveries WHERE subscriber = 'retention-probe' AND task_id = ANY ($1::uuid[]) AND delivered_at IS NOT NULL`,
        [[...oldTasks, recent]],
      );
      return rows.length === 4 * 3;
    });
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    dispatchers = [];
    // Everything except `recent` is now 40 days old; one old delivery is dead, one still pending.
    await testDb.pool.query(`UPDATE task_events SET created_at = now() - interval '40 days' WHERE task_id <> $1`, [recent]);
    await testDb.pool.query(`UPDATE step_attempts SET started_at = now() - interval '40 days' WHERE task_id <> $1`, [recent]);
    const [deadEvent, pendingEvent] = (await storedEventIds([oldTasks[0]!], ['step.completed'])).map((event) => event.id);
    await testDb.pool.query(`UPDATE event_deliveries SET delivered_at = NULL, dead_at = now() WHERE event_id = $1`, [deadEvent]);
    await testDb.pool.query(`UPDATE event_deliveries SET delivered_at = NULL WHERE event_id = $1`, [pendingEvent]);
    const countOld = async () => {
      const { rows } = await testDb.pool.query<{ events: number; attempts: number }>(
        `SELECT (SELECT count(*)::int FROM task_events WHERE created_at < now() - interval '30 days') AS events,
                (SELECT count(*)::int FROM step_attempts WHERE started_at < now() - interval '30 days') AS attempts`,
      );
      return rows[0]!;
    };
    const before = await countOld();
    expect(before.events).toBeGreaterThan(10);

    const purged = await purgeHistory(testDb.pool, { retentionDays: 30, batchSize: 4 });
    expect(purged).toEqual({ events: before.events - 2, attempts: before.attempts, runs: 0 });
    expect(await countOld()).toEqual({ events: 2, attempts: 0 });
    const kept = await testDb.pool.query<{ id: string }>(`SELECT id FROM task_events WHERE created_at < now() - interval '30 days' ORDER BY id`);
    expect(kept.rows.map((row) => Number(row.id))).toEqual([deadEvent, pendingEvent]);
    expect((await listDeadEventDeliveries(testDb.pool)).map((dead) => dead.eventId)).toContain(deadEvent);
    // The recent run keeps its history.
    expect((await storedEventIds([recent], ['step.completed'])).length).toBe(3);
    const recentAttempts = await testDb.pool.query(`SELECT 1 FROM step_attempts WHERE task_id = $1`, [recent]);
    expect(recentAttempts.rowCount).toBe(3);
    expect(await purgeHistory(testDb.pool, { retentionDays: 30, batchSize: 4 })).toEqual({ events: 0, attempts: 0, runs: 0 });
  });
});
