/**
 * The web process's one LISTEN connection (lib/engine/listener.ts), shared by its worker, its event dispatcher and
 * the live views of every open browser tab. Next bundles instrumentation and route handlers separately, so the hub
 * is kept on globalThis: both bundles, and dev-mode reloads, find the same one.
 */
import { createNotificationHub, type NotificationHub } from '@/lib/engine';
import { getDb } from '@/lib/database';
import { createProcessLogger } from './logger';

const globalForNotifications = globalThis as typeof globalThis & { nightshiftNotifications?: NotificationHub };

export function processNotificationHub(): NotificationHub {
  globalForNotifications.nightshiftNotifications ??= createNotificationHub({ pool: getDb().pool, logger: createProcessLogger('nightshift-listen') });
  return globalForNotifications.nightshiftNotifications;
}
