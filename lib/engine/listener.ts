/**
 * LISTEN with reconnect, one connection per process: a NotificationHub holds a single dedicated connection that
 * listens on every channel its subscriptions need (the worker's, the event dispatcher's, the live views'), opens
 * it with the first subscription, re-creates it after a connection loss (server restart, network) with capped,
 * jittered back-off, and gives it back when the last subscription ends.
 *
 * Notifications sent while disconnected are lost, so every subscription hears `onConnected` after each (re)connect
 * and should catch up by querying; `onDisconnected` tells it to fall back to polling meanwhile.
 */
import type pg from 'pg';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import { describeError } from './logger';
import type { Logger } from './types';

const DEFAULT_RECONNECT_BACKOFF: BackoffSettings = { baseMs: 100, capMs: 10_000 };

export interface NotificationSubscription {
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  onConnected?(): void;
  onDisconnected?(): void;
}

export interface NotificationHub {
  /** Listens on the subscription's channels until the returned function is called. */
  subscribe(subscription: NotificationSubscription): () => void;
  isConnected(): boolean;
  /** Ends every subscription and gives the connection back. */
  close(): Promise<void>;
}

export function createNotificationHub(options: { pool: pg.Pool; logger: Logger; reconnectBackoff?: BackoffSettings }): NotificationHub {
  const backoff = options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF;
  const subscriptions = new Set<NotificationSubscription>();
  let client: pg.PoolClient | undefined;
  /** Channels the current connection listens on. */
  const listening = new Set<string>();
  /** Bumped whenever the connection should be (re)opened or dropped, so a connect that finishes late gives its client back. */
  let generation = 0;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;

  const each = (call: (subscription: NotificationSubscription) => void) => {
    for (const subscription of [...subscriptions]) {
      try {
        call(subscription);
      } catch (error) {
        options.logger.warn({ error: describeError(error) }, 'a notification subscriber threw');
      }
    }
  };

  const onMessage = (message: pg.Notification) => {
    const payload = message.payload ?? '';
    each((subscription) => {
      if (subscription.channels.includes(message.channel)) subscription.onNotification(message.channel, payload);
    });
  };

  const wantedChannels = () => new Set([...subscriptions].flatMap((subscription) => subscription.channels));

  const release = (connection: pg.PoolClient, error?: Error) => {
    connection.removeListener('notification', onMessage);
    connection.removeAllListeners('error');
    connection.removeAllListeners('end');
    connection.on('error', () => undefined);
    // Destroy rather than return it to the pool: its session (and LISTEN state) must not be reused.
    connection.release(error ?? true);
  };

  const scheduleReconnect = (forGeneration: number) => {
    if (retryTimer || forGeneration !== generation) return;
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect(forGeneration);
    }, computeBackoffMs(failures, backoff));
    retryTimer.unref();
  };

  const connect = (forGeneration: number) => {
    connecting = (async () => {
      let connection: pg.PoolClient | undefined;
      let lost = false;
      const onLost = (error: Error) => {
        if (lost) return;
        lost = true;
        const wasCurrent = client === connection;
        if (wasCurrent) {
          client = undefined;
          listening.clear();
        }
        if (connection) release(connection, error);
        if (wasCurrent) {
          options.logger.warn({ error: error.message }, 'notification connection lost; reconnecting');
          each((subscription) => subscription.onDisconnected?.());
        }
        scheduleReconnect(forGeneration);
      };
      try {
        connection = await options.pool.connect();
        connection.on('error', onLost);
        connection.on('end', () => onLost(new Error('connection ended')));
        connection.on('notification', onMessage);
        // Subscriptions may arrive while the LISTENs run: keep going until every wanted channel is listened to.
        const channels = new Set<string>();
        for (let missing = [...wantedChannels()]; missing.length > 0; missing = [...wantedChannels()].filter((channel) => !channels.has(channel))) {
          for (const channel of missing) {
            await connection.query(`LISTEN ${connection.escapeIdentifier(channel)}`);
            channels.add(channel);
          }
        }
        if (forGeneration !== generation) {
          lost = true;
          release(connection);
          return;
        }
        client = connection;
        for (const channel of channels) listening.add(channel);
        failures = 0;
        each((subscription) => subscription.onConnected?.());
      } catch (error) {
        if (!lost) {
          options.logger.warn({ error: describeError(error) }, 'could not open the notification connection; retrying');
          onLost(error instanceof Error ? error : new Error(String(error)));
        }
      }
    })();
  };

  const open = () => {
    generation += 1;
    failures = 0;
    connect(generation);
  };

  const drop = async () => {
    generation += 1;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    await connecting;
    const current = client;
    client = undefined;
    listening.clear();
    if (current) release(current);
  };

  /** A subscription that arrives while connected may need channels the connection does not listen on yet. */
  const listenToNewChannels = async (subscription: NotificationSubscription) => {
    const connection = client;
    if (!connection) return;
    try {
      for (const channel of subscription.channels) {
        if (listening.has(channel)) continue;
        await connection.query(`LISTEN ${connection.escapeIdentifier(channel)}`);
        listening.add(channel);
      }
      if (subscriptions.has(subscription) && client === connection) subscription.onConnected?.();
    } catch (error) {
      connection.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  };

  return {
    subscribe(subscription) {
      subscriptions.add(subscription);
      if (subscriptions.size === 1 && !client && !retryTimer) open();
      else void listenToNewChannels(subscription);
      return () => {
        if (!subscriptions.delete(subscription)) return;
        // Channels nobody wants any more stay listened to until the connection is dropped: harmless, and rare.
        if (subscriptions.size === 0) void drop();
      };
    },
    isConnected: () => client !== undefined,
    async close() {
      subscriptions.clear();
      await drop();
    },
  };
}

export interface NotificationListener {
  start(): void;
  stop(): Promise<void>;
}

/**
 * One component's subscription (the worker's, the dispatcher's): on the process's shared hub when it is given one,
 * else on a hub of its own.
 */
export function createNotificationListener(options: {
  pool: pg.Pool;
  hub?: NotificationHub;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  onConnected?(): void;
  logger: Logger;
}): NotificationListener {
  let unsubscribe: (() => void) | undefined;
  let ownHub: NotificationHub | undefined;
  return {
    start() {
      if (unsubscribe) return;
      const hub = options.hub ?? (ownHub = createNotificationHub({ pool: options.pool, logger: options.logger }));
      unsubscribe = hub.subscribe({ channels: options.channels, onNotification: options.onNotification, onConnected: options.onConnected });
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      await ownHub?.close();
      ownHub = undefined;
    },
  };
}
