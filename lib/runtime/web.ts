/**
 * Starts the engine's services inside the Next.js server process, called from instrumentation.ts: event delivery,
 * alert delivery and the scheduler always (so a web process beside standalone workers still turns failures into
 * alerts), and a worker when RUN_WORKERS is on (the default). Cached on globalThis so dev-mode reloads do not start
 * a second one.
 *
 * Shutdown: Next exits on SIGTERM/SIGINT right after closing its HTTP server, so in-flight attempts get only
 * a short grace here; any attempt not released in time is recovered by another worker once its lease expires.
 */
import { getDb } from '@/lib/database';
import { env } from '@/lib/env';
import { startBackgroundServices } from './background-services';
import { appMetrics } from '@/lib/monitoring/metrics';
import { startEngineHost, type EngineHost } from './engine-host';
import { createProcessLogger } from './logger';
import { processNotificationHub } from './notifications';
import { appRegistry } from './registry';
import { buildSubscribers } from './subscribers';

const WEB_SHUTDOWN_GRACE_MS = 1_000;

const globalForEngine = globalThis as typeof globalThis & { nightshiftEngine?: Promise<EngineHost | undefined> };

export function startEngineInWebProcess(): Promise<EngineHost | undefined> {
  globalForEngine.nightshiftEngine ??= (async () => {
    const settings = env();
    const logger = createProcessLogger('nightshift-engine');
    if (!settings.RUN_WORKERS) logger.info({}, 'RUN_WORKERS is off: this web process runs no worker, only event and alert delivery and the scheduler');
    const db = getDb();
    const registry = appRegistry();
    const subscribers = buildSubscribers({ db, registry, logger, metrics: appMetrics() });
    const notifications = processNotificationHub();
    const host = await startEngineHost({ db, registry, subscribers, settings, logger, notifications, runWorker: settings.RUN_WORKERS });
    // Alert delivery and the scheduler run beside the engine (both are safe with several processes).
    const monitoring = await startBackgroundServices({ db, registry, logger, metrics: appMetrics() });
    const shutdown = () => {
      void monitoring.stop();
      void host.stop({ graceMs: Math.min(WEB_SHUTDOWN_GRACE_MS, settings.WORKER_SHUTDOWN_GRACE_MS) });
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    return host;
  })().catch((error: unknown) => {
    // Startup is retried on the next call rather than leaving a rejected promise cached.
    globalForEngine.nightshiftEngine = undefined;
    console.error(`[nightshift] could not start the engine in the web process: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  return globalForEngine.nightshiftEngine;
}
