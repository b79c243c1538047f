/**
 * The live-update fan-out of one server process: ONE dedicated LISTEN connection on the engine's EVENTS_CHANNEL,
 * shared by every open browser tab (each tab is an SSE subscriber here, not a database connection).
 *
 * The connection is opened when the first subscriber arrives and released when the last one leaves, so a server
 * nobody watches holds no extra connection. After a connection loss it reconnects with capped backoff and tells
 * subscribers to `resync`: notifications sent while it was gone are lost, so clients must refetch.
 */
import type pg from 'pg';
import { computeBackoffMs, EVENTS_CHANNEL } from '@/lib/engine';

export type LiveMessage =
  /** Something about the task changed (an engine event was committed). */
  | { type: 'task'; taskId: string }
  /** The server may have missed changes (listener reconnected): refetch everything shown. */
  | { type: 'resync' }
  /** Whether the server currently listens; while false, clients fall back to polling. */
  | { type: 'status'; listening: boolean };

export type LiveSubscriber = (message: LiveMessage) => void;

export interface LiveHub {
  subscribe(subscriber: LiveSubscriber): () => void;
  subscriberCount(): number;
  isListening(): boolean;
  /** Drops every subscriber and the connection (tests, shutdown). */
  close(): Promise<void>;
}

export interface LiveHubOptions {
  pool: pg.Pool;
  channel?: string;
  /** First reconnect delay; doubles per failure up to maxRetryMs. */
  minRetryMs?: number;
  maxRetryMs?: number;
  onError?(message: string): void;
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const channel = options.channel ?? EVENTS_CHANNEL;
  const minRetryMs = options.minRetryMs ?? 200;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const subscribers = new Set<LiveSubscriber>();
  let client: pg.PoolClient | undefined;
  let listening = false;
  /** Bumped on every start/stop, so a connect that finishes after a stop (or a newer start) gives its client back. */
  let generation = 0;
  let failures = 0;
  let everConnected = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const broadcast = (message: LiveMessage) => {
    for (const subscriber of subscribers) {
      try {
        subscriber(message);
      } catch (error) {
        options.onError?.(`live subscriber threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const setListening = (value: boolean) => {
    if (listening === value) return;
    listening = value;
    broadcast({ type: 'status', listening: value });
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel === channel && message.payload) broadcast({ type: 'task', taskId: message.payload });
  };

  const scheduleConnect = (forGeneration: number) => {
    if (retryTimer || forGeneration !== generation) return;
    failures += 1;
    const delay = computeBackoffMs(failures, { baseMs: minRetryMs, capMs: maxRetryMs });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect(forGeneration);
    }, delay);
    retryTimer.unref();
  };

  const connect = async (forGeneration: number) => {
    let connection: pg.PoolClient | undefined;
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      connection?.removeListener('notification', onNotification);
      // Destroy it rather than return it to the pool: its session, and with it the LISTEN, is gone.
      connection?.release(error);
      if (client === connection) {
        client = undefined;
        setListening(false);
        options.onError?.(`live listener lost its connection (${error.message}); reconnecting`);
      }
      scheduleConnect(forGeneration);
    };
    try {
      connection = await options.pool.connect();
      connection.on('error', onLost);
      connection.on('end', () => onLost(new Error('connection ended')));
      connection.on('notification', onNotification);
      await connection.query(`LISTEN ${connection.escapeIdentifier(channel)}`);
    } catch (error) {
      if (!lost) onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (forGeneration !== generation) {
      lost = true;
      connection.removeAllListeners();
      connection.release(true);
      return;
    }
    client = connection;
    failures = 0;
    const reconnected = everConnected;
    everConnected = true;
    setListening(true);
    if (reconnected) broadcast({ type: 'resync' });
  };

  const start = () => {
    generation += 1;
    everConnected = false;
    failures = 0;
    void connect(generation);
  };

  const stop = () => {
    generation += 1;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    const current = client;
    client = undefined;
    listening = false;
    if (current) {
      current.removeAllListeners();
      // An idle LISTEN session is harmless to reuse only after UNLISTEN; destroying it is simpler and rare.
      current.on('error', () => undefined);
      current.release(true);
    }
  };

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      if (subscribers.size === 1) start();
      return () => {
        if (!subscribers.delete(subscriber)) return;
        if (subscribers.size === 0) stop();
      };
    },
    subscriberCount: () => subscribers.size,
    isListening: () => listening,
    async close() {
      subscribers.clear();
      stop();
    },
  };
}
