/**
 * A dedicated LISTEN connection that re-creates itself after a connection loss (server restart, network),
 * with capped exponential backoff. `onConnected` runs after every (re)connect, because notifications sent
 * while disconnected are lost: the owner should catch up by querying.
 */
import type pg from 'pg';
import { computeBackoffMs, type BackoffSettings } from './backoff';
import { describeError } from './logger';
import type { Logger } from './types';

const RECONNECT_BACKOFF: BackoffSettings = { baseMs: 100, capMs: 10_000 };

export interface NotificationListener {
  start(): void;
  stop(): Promise<void>;
}

export function createNotificationListener(options: {
  pool: pg.Pool;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  onConnected?(): void;
  logger: Logger;
}): NotificationListener {
  let client: pg.PoolClient | undefined;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    failures += 1;
    const delay = computeBackoffMs(failures, RECONNECT_BACKOFF);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
    retryTimer.unref();
  };

  const connect = () => {
    connecting = (async () => {
      let connection: pg.PoolClient | undefined;
      let lost = false;
      try {
        connection = await options.pool.connect();
        const onLost = (error: Error) => {
          if (lost) return;
          lost = true;
          options.logger.warn({ error: error.message }, 'notification connection lost; reconnecting');
          if (client === connection) client = undefined;
          connection?.removeListener('notification', onMessage);
          // Destroy rather than return it to the pool: its session (and LISTEN state) is gone.
          connection?.release(error);
          scheduleReconnect();
        };
        const onMessage = (message: pg.Notification) => options.onNotification(message.channel, message.payload ?? '');
        connection.on('error', onLost);
        connection.on('end', () => onLost(new Error('connection ended')));
        connection.on('notification', onMessage);
        for (const channel of options.channels) await connection.query(`LISTEN ${connection.escapeIdentifier(channel)}`);
        if (stopped) {
          connection.release(true);
          return;
        }
        client = connection;
        failures = 0;
        options.onConnected?.();
      } catch (error) {
        options.logger.warn({ error: describeError(error) }, 'could not open the notification connection; retrying');
        if (!lost) {
          lost = true;
          connection?.release(true);
        }
        scheduleReconnect();
      }
    })();
  };

  return {
    start() {
      stopped = false;
      connect();
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      await connecting;
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('notification');
        await current.query('UNLISTEN *').catch(() => undefined);
        current.removeAllListeners('error');
        current.removeAllListeners('end');
        current.on('error', () => undefined);
        current.release(true);
      }
    },
  };
}
