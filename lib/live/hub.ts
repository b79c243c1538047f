/**
 * The live-update fan-out of one server process: a subscription to the engine's EVENTS_CHANNEL on the process's one
 * LISTEN connection (lib/engine/listener.ts), shared by every open browser tab (each tab is an SSE subscriber here,
 * not a database connection).
 *
 * It subscribes when the first browser subscriber arrives and ends the subscription when the last one leaves. After
 * a connection loss it tells subscribers `listening: false`, and once reconnected asks them to `resync`:
 * notifications sent while the connection was gone are lost, so clients must refetch.
 */
import type pg from 'pg';
import { createNotificationHub, EVENTS_CHANNEL, type NotificationHub } from '@/lib/engine';

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
  /** The process's shared notification connection; without it the hub opens one of its own on `pool`. */
  notifications?: NotificationHub;
  pool: pg.Pool;
  channel?: string;
  /** First reconnect delay of a hub's own connection; grows per failure (jittered) up to maxRetryMs. */
  minRetryMs?: number;
  maxRetryMs?: number;
  onError?(message: string): void;
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const channel = options.channel ?? EVENTS_CHANNEL;
  const report = (fields: Record<string, unknown>, message: string) =>
    options.onError?.(fields.error ? `live listener: ${message} (${String(fields.error)})` : `live listener: ${message}`);
  const notifications =
    options.notifications ??
    createNotificationHub({
      pool: options.pool,
      logger: { debug: () => undefined, info: () => undefined, warn: report, error: report },
      reconnectBackoff: { baseMs: options.minRetryMs ?? 200, capMs: options.maxRetryMs ?? 10_000 },
    });
  const subscribers = new Set<LiveSubscriber>();
  let listening = false;
  let everConnected = false;
  let unsubscribe: (() => void) | undefined;

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

  // Listens while someone watches: a server nobody watches keeps no live subscription (and, with a hub of its own,
  // no connection).
  const start = () => {
    everConnected = false;
    unsubscribe = notifications.subscribe({
      channels: [channel],
      onNotification: (_channel, payload) => {
        if (payload) broadcast({ type: 'task', taskId: payload });
      },
      onConnected: () => {
        const reconnected = everConnected;
        everConnected = true;
        setListening(true);
        // Notifications sent while the connection was gone are lost: clients refetch what they show.
        if (reconnected) broadcast({ type: 'resync' });
      },
      onDisconnected: () => setListening(false),
    });
  };

  const stop = () => {
    unsubscribe?.();
    unsubscribe = undefined;
    listening = false;
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
      if (!options.notifications) await notifications.close();
    },
  };
}
