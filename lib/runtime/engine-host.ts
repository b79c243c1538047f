/**
 * Runs the engine inside a process: a worker and, optionally, the event dispatcher, with settings from
 * the environment. Both the web process (instrumentation.ts → web.ts) and `npm run worker` use it.
 */
import type { DbHandle } from '@/db/client';
import {
  createEventDispatcher,
  createWorker,
  type EventDispatcher,
  type Logger,
  type PipelineRegistry,
  type NotificationHub,
  type Subscriber,
  type Worker,
} from '@/lib/engine';
import type { Env } from '@/lib/env';
import { RUN_HOLDS } from './run-retention';

export interface EngineHostOptions {
  db: DbHandle;
  registry: PipelineRegistry;
  settings: Pick<
    Env,
    | 'WORKER_CONCURRENCY'
    | 'WORKER_LEASE_MS'
    | 'WORKER_HEARTBEAT_MS'
    | 'WORKER_POLL_MS'
    | 'WORKER_BACKOFF_BASE_MS'
    | 'WORKER_BACKOFF_CAP_MS'
    | 'WORKER_SHUTDOWN_GRACE_MS'
    | 'WORKER_MAX_LOST_ATTEMPTS'
    | 'WORKER_MAX_RATE_LIMITED_ATTEMPTS'
    | 'EVENT_POLL_MS'
    | 'EVENT_MAX_DELIVERY_ATTEMPTS'
    | 'EVENT_DELIVERY_BACKOFF_BASE_MS'
    | 'EVENT_DELIVERY_BACKOFF_CAP_MS'
    | 'EVENT_RETENTION_DAYS'
    | 'RUN_RETENTION_DAYS'
  >;
  logger: Logger;
  /** The process's one LISTEN connection, shared by the worker, the dispatcher and (in the web) the live views. */
  notifications?: NotificationHub;
  /** Subscribers for the event dispatcher; without them no dispatcher runs. */
  subscribers?: Subscriber[];
  /** False: only the event dispatcher runs here (a web process with RUN_WORKERS off). Default true. */
  runWorker?: boolean;
  workerId?: string;
}

export interface EngineHost {
  worker: Worker | undefined;
  dispatcher: EventDispatcher | undefined;
  /** Stops the worker gracefully (in-flight attempts get graceMs, default WORKER_SHUTDOWN_GRACE_MS) and the dispatcher. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startEngineHost(options: EngineHostOptions): Promise<EngineHost> {
  const { settings } = options;
  const worker = options.runWorker === false ? undefined : createWorker({
    db: options.db,
    notifications: options.notifications,
    registry: options.registry,
    workerId: options.workerId,
    concurrency: settings.WORKER_CONCURRENCY,
    leaseMs: settings.WORKER_LEASE_MS,
    heartbeatMs: settings.WORKER_HEARTBEAT_MS,
    pollIntervalMs: settings.WORKER_POLL_MS,
    backoff: { baseMs: settings.WORKER_BACKOFF_BASE_MS, capMs: settings.WORKER_BACKOFF_CAP_MS },
    attemptCaps: { maxLostAttempts: settings.WORKER_MAX_LOST_ATTEMPTS, maxRateLimitedAttempts: settings.WORKER_MAX_RATE_LIMITED_ATTEMPTS },
    logger: options.logger,
  });
  const subscribers = options.subscribers ?? [];
  const dispatcher =
    subscribers.length > 0
      ? createEventDispatcher({
          db: options.db,
          notifications: options.notifications,
          subscribers,
          pollIntervalMs: settings.EVENT_POLL_MS,
          maxDeliveryAttempts: settings.EVENT_MAX_DELIVERY_ATTEMPTS,
          retryBackoff: { baseMs: settings.EVENT_DELIVERY_BACKOFF_BASE_MS, capMs: settings.EVENT_DELIVERY_BACKOFF_CAP_MS },
          retention: { days: settings.EVENT_RETENTION_DAYS, runDays: settings.RUN_RETENTION_DAYS, runHolds: RUN_HOLDS },
          logger: options.logger,
        })
      : undefined;
  await worker?.start();
  await dispatcher?.start();
  let stopping: Promise<void> | undefined;
  return {
    worker,
    dispatcher,
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        await Promise.all([worker?.stop({ graceMs: stopOptions.graceMs ?? settings.WORKER_SHUTDOWN_GRACE_MS }), dispatcher?.stop()]);
      })();
      return stopping;
    },
  };
}
