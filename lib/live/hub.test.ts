/**
 * The live fan-out against a real PostgreSQL: many subscribers share ONE LISTEN connection, every one of them
 * gets each NOTIFY, the connection is re-established (and subscribers told to resync) after it is killed, and
 * it is released when the last subscriber leaves; in a process, that one connection also serves the engine's worker
 * and event dispatcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';
import { createEventDispatcher, createNotificationHub, createRegistry, createWorker, EVENTS_CHANNEL } from '@/lib/engine';
import { quietLogger } from '@/lib/engine/test-fixtures/harness';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createLiveHub, type LiveHub, type LiveMessage } from './hub';
import { formatSseMessage, parseSseMessage } from './sse';

const APP_NAME = 'nightshift-live-test';

async function waitFor<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('live hub', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let hub: LiveHub;

  const listenerConnections = async () => {
    const result = await testDb.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query ILIKE 'LISTEN%'`,
      [APP_NAME],
    );
    return result.rows[0]?.count ?? 0;
  };
  const notify = (taskId: string) => testDb.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, taskId]);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = createPool(testDb.url, { max: 5, applicationName: APP_NAME });
    hub = createLiveHub({ pool: handle.pool, minRetryMs: 20, maxRetryMs: 200 });
  });
  afterAll(async () => {
    await hub.close();
    await handle.close();
    await testDb.drop();
  });

  it('fans one LISTEN connection out to every subscriber, and lets go when the last leaves', async () => {
    const inboxes: LiveMessage[][] = [[], [], [], [], []];
    const unsubscribes = inboxes.map((inbox) => hub.subscribe((message) => inbox.push(message)));
    await waitFor(() => hub.isListening(), Boolean, 'the listener');
    expect(await listenerConnections()).toBe(1);

    await notify('task-1');
    for (const inbox of inboxes) {
      await waitFor(() => inbox.filter((message) => message.type === 'task'), (tasks) => tasks.length === 1, 'the notification');
      expect(inbox).toContainEqual({ type: 'task', taskId: 'task-1' });
    }
    expect(await listenerConnections()).toBe(1);

    for (const unsubscribe of unsubscribes) unsubscribe();
    expect(hub.subscriberCount()).toBe(0);
    await waitFor(listenerConnections, (count) => count === 0, 'the LISTEN connection to close');
  });

  it('re-listens after losing its connection and asks subscribers to resync', async () => {
    const inbox: LiveMessage[] = [];
    const unsubscribe = hub.subscribe((message) => inbox.push(message));
    await waitFor(() => hub.isListening(), Boolean, 'the listener');
    await testDb.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query ILIKE 'LISTEN%'`,
      [APP_NAME],
    );
    await waitFor(() => inbox, (messages) => messages.some((message) => message.type === 'resync'), 'a resync after reconnecting');
    expect(inbox).toContainEqual({ type: 'status', listening: false });
    expect(await listenerConnections()).toBe(1);

    await notify('task-2');
    await waitFor(() => inbox, (messages) => messages.some((message) => message.type === 'task' && message.taskId === 'task-2'), 'a notification after reconnecting');
    unsubscribe();
  });

  it("shares the process's one LISTEN connection with the engine's worker and event dispatcher", async () => {
    const shared = createPool(testDb.url, { max: 8, applicationName: `${APP_NAME}-shared` });
    const notifications = createNotificationHub({ pool: shared.pool, logger: quietLogger });
    const worker = createWorker({ db: shared, notifications, registry: createRegistry(), concurrency: 1, leaseMs: 5_000, heartbeatMs: 1_000, pollIntervalMs: 1_000, logger: quietLogger });
    const dispatcher = createEventDispatcher({ db: shared, notifications, subscribers: [{ name: 'listen-share-test', events: ['task.completed'], handle: async () => undefined }], logger: quietLogger });
    const live = createLiveHub({ notifications, pool: shared.pool });
    const sharedListeners = async () => {
      const result = await testDb.pool.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query ILIKE 'LISTEN%'`,
        [`${APP_NAME}-shared`],
      );
      return result.rows[0]?.count ?? 0;
    };
    try {
      await worker.start();
      await dispatcher.start();
      const inbox: LiveMessage[] = [];
      const unsubscribe = live.subscribe((message) => inbox.push(message));
      await waitFor(() => live.isListening(), (listening) => listening, 'the live hub to listen on the shared connection');
      expect(notifications.isConnected()).toBe(true);
      expect(await sharedListeners()).toBe(1);
      await testDb.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, 'shared-task']);
      await waitFor(() => inbox, (messages) => messages.some((message) => message.type === 'task' && message.taskId === 'shared-task'), 'the live view to hear the event');
      unsubscribe();
      // The engine still listens after the last browser left.
      expect(notifications.isConnected()).toBe(true);
      expect(await sharedListeners()).toBe(1);
    } finally {
      await live.close();
      await dispatcher.stop();
      await worker.stop({ graceMs: 1_000 });
      await waitFor(sharedListeners, (count) => count === 0, 'the shared connection to be given back');
      await notifications.close();
      await shared.close();
    }
  });
});

describe('SSE wire format', () => {
  it('round-trips every message kind', () => {
    const messages: LiveMessage[] = [{ type: 'task', taskId: 'abc' }, { type: 'resync' }, { type: 'status', listening: false }];
    for (const message of messages) {
      const text = formatSseMessage(message);
      const event = /^event: (\w+)\ndata: (.*)\n\n$/.exec(text);
      expect(event).not.toBeNull();
      expect(parseSseMessage(event![1]!, event![2]!)).toEqual(message);
    }
  });

  it('ignores malformed data', () => {
    expect(parseSseMessage('task', '{"nope":1}')).toBeUndefined();
    expect(parseSseMessage('task', 'not json')).toBeUndefined();
    expect(parseSseMessage('other', '{}')).toBeUndefined();
  });
});
