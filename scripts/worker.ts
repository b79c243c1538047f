/**
 * `npm run worker`: a standalone engine worker (no web server). Uses DATABASE_URL, or the embedded server
 * (shared with a running `npm start`). Any number may run against one database.
 * SIGTERM/SIGINT: stop claiming, let in-flight steps finish up to WORKER_SHUTDOWN_GRACE_MS, release the rest.
 */
import { createPool } from '../db/client';
import { acquireDatabase } from '../db/runtime';
import { createNotificationHub } from '../lib/engine';
import { env } from '../lib/env';
import { startBackgroundServices } from '../lib/runtime/background-services';
import { startEngineHost } from '../lib/runtime/engine-host';
import { createProcessLogger } from '../lib/runtime/logger';
import { buildRegistry } from '../lib/runtime/registry';
import { buildSubscribers } from '../lib/runtime/subscribers';

async function main() {
  const settings = env();
  const logger = createProcessLogger('nightshift-worker');
  const database = await acquireDatabase(settings);
  const db = createPool(database.url, { max: settings.WORKER_CONCURRENCY + 4, applicationName: 'nightshift-worker' });
  const registry = buildRegistry();
  if (registry.list().length === 0) logger.warn({}, 'no pipelines are registered (lib/runtime/registry.ts); this worker will stay idle');
  // Event delivery (alerts from step failures), alert delivery and scheduler firings run here too, so a deployment of
  // standalone workers — with or without a web process — alerts.
  // One LISTEN connection for the worker and the dispatcher of this process.
  const notifications = createNotificationHub({ pool: db.pool, logger });
  const host = await startEngineHost({ db, registry, settings, logger, notifications, subscribers: buildSubscribers({ db, registry, logger }) });
  const monitoring = await startBackgroundServices({ db, registry, logger });
  logger.info({ workerId: host.worker?.id }, 'standalone worker running; SIGTERM or Ctrl-C stops it gracefully');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: settings.WORKER_SHUTDOWN_GRACE_MS }, 'stopping: finishing in-flight steps');
    await Promise.all([host.stop(), monitoring.stop()]);
    await notifications.close();
    await db.close();
    await database.release();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`[nightshift worker] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
