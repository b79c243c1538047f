/**
 * createEventDispatcher: delivers outbox events to subscribers, at least once, in order per task, with no
 * transaction horizon — an open transaction anywhere on the server (another database's migration, a long
 * transform) delays nothing.
 *
 * Three loops, each safe to run in any number of processes at once:
 *  - fan-out (event-fanout.ts, nightshift_fan_out_events): committed outbox rows become one delivery per
 *    subscriber that wants them. It sees only committed rows and remembers the ids it passed without seeing, so it
 *    neither waits for running transactions nor loses an event that commits late.
 *  - delivery, one loop per subscriber (event-deliveries.ts): due deliveries are claimed with FOR UPDATE SKIP
 *    LOCKED, handed to the subscriber and marked delivered in the same transaction. A subscriber that throws gets
 *    the event again after a back-off (computeBackoffMs); after `maxDeliveryAttempts` failures the delivery is a
 *    dead letter on /alerts, to be resent by an operator. Only that event's task waits meanwhile.
 *  - retention (retention.ts): event and attempt history older than `retention.days`, and whole finished runs older
 *    than `retention.runDays` that no hold keeps, are purged in batches.
 *
 * Per-task order. A subscriber gets a task's events in outbox-id order, and an event is never delivered before
 * one it follows from. Most writers of a task's events hold the task row lock (completion, failure, operator
 * operations, cancel: task-transaction.ts and drizzle/0009), so their events are ordered by that lock. Two writers
 * do not: the claim writes `step.started` (and, when it gets the task row, `task.started`) holding only the
 * claimed step rows, and progress writes `step.progress` holding only the step row. Their events still follow
 * everything they depend on: a step is claimable only after the transaction that made it ready (launch,
 * completion of its last dependency, the failure that scheduled its retry, an operator operation) committed,
 * so its `step.started` is inserted later and gets a larger id; progress and the attempt's completion or failure
 * both update the step row, so one waits for the other, and the completion's event is inserted after progress
 * committed. What they may interleave with are events of other steps of the task that do not depend on them
 * (parallel branches), whose relative order carries no meaning. Each delivery waits for every earlier undone
 * delivery of its task (by event id) that the fan-out has produced; an event that commits late (a claim that
 * committed after a later id) is delivered when it appears, after what was already delivered.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { DbHandle } from '@/db/client';
import { DEFAULT_BACKOFF, type BackoffSettings } from './backoff';
import { DELIVERIES_CHANNEL, EVENTS_CHANNEL } from './channels';
import { deliverBatch, type DeliveredEvent } from './event-deliveries';
import { fanOutEvents, registerSubscriber } from './event-fanout';
import { createNotificationListener, type NotificationHub } from './listener';
import { consoleLogger, describeError, withFields } from './logger';
import { createPollLoop, type PollLoop } from './poll-loop';
import { purgeHistory, type RunHold } from './retention';
import type { EventName, Logger } from './types';

export type { DeliveredEvent } from './event-deliveries';

export interface Subscriber {
  /** Stable: its deliveries are recorded under this name. */
  name: string;
  events: readonly EventName[];
  handle(event: DeliveredEvent): Promise<void>;
  /** What a subscriber registered for the first time receives: every stored event (default) or only new ones. */
  startAt?: 'earliest' | 'latest';
}

export interface EventDispatcherOptions {
  db: DbHandle;
  /** The process's one LISTEN connection, shared with the worker and live views; default: one of its own. */
  notifications?: NotificationHub;
  subscribers: readonly Subscriber[];
  /** How often to look for new events and due deliveries when no notification arrives. */
  pollIntervalMs?: number;
  logger?: Logger;
  /** Back-off between a subscriber's failed attempts at one event (default 1 s doubling to 5 min, with jitter). */
  retryBackoff?: BackoffSettings;
  /** Failed attempts after which a delivery becomes a dead letter (default 10). */
  maxDeliveryAttempts?: number;
  /** Deliveries claimed per transaction (default 100). */
  batchSize?: number;
  /** Outbox rows fanned out per call (default 1,000). */
  fanOutBatchSize?: number;
  /**
   * Purge events and attempts older than `days` and finished runs older than `runDays` (unless one of `runHolds`
   * keeps them), every `intervalMs` (default one hour), `batchSize` rows / `runBatchSize` runs per statement.
   */
  retention?: { days: number; runDays?: number; runHolds?: readonly RunHold[]; intervalMs?: number; batchSize?: number; runBatchSize?: number };
}

export interface EventDispatcher {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;
const FAN_OUT_GAP_MS = 20;
/** A dispatcher loop that failed (database unreachable) retries after this back-off. */
const LOOP_BACKOFF: BackoffSettings = { baseMs: 200, capMs: 10_000 };

export function createEventDispatcher(options: EventDispatcherOptions): EventDispatcher {
  const { db } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const retryBackoff = options.retryBackoff ?? DEFAULT_BACKOFF;
  const maxAttempts = options.maxDeliveryAttempts ?? DEFAULT_MAX_DELIVERY_ATTEMPTS;
  const batchSize = options.batchSize ?? 100;
  const fanOutBatchSize = options.fanOutBatchSize ?? 1_000;
  const id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = withFields(options.logger ?? consoleLogger(), { dispatcherId: id });
  const names = new Set(options.subscribers.map((subscriber) => subscriber.name));
  if (names.size !== options.subscribers.length) throw new Error('Event subscribers must have unique names');

  let running = false;
  const loops: PollLoop[] = [];
  let fanOutLoop: PollLoop | undefined;
  const deliveryLoops: PollLoop[] = [];
  const wakeFanOut = () => fanOutLoop?.wake();
  const wakeDeliveries = () => deliveryLoops.forEach((loop) => loop.wake());
  const wakeAll = () => loops.forEach((loop) => loop.wake());

  const listener = createNotificationListener({
    pool: db.pool,
    hub: options.notifications,
    channels: [EVENTS_CHANNEL, DELIVERIES_CHANNEL],
    logger,
    onNotification: (channel) => (channel === EVENTS_CHANNEL ? wakeFanOut() : wakeDeliveries()),
    onConnected: wakeAll,
  });

  // Under load the engine announces changes every few milliseconds; one fan-out per FAN_OUT_GAP_MS takes them all
  // in one transaction instead of one transaction (and one NOTIFY) per announcement.
  let lastFanOutAt = 0;
  const fanOutStep = async () => {
    const wait = lastFanOutAt + FAN_OUT_GAP_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastFanOutAt = Date.now();
    const { scanned, created } = await fanOutEvents(db.pool, fanOutBatchSize);
    if (created > 0) wakeDeliveries();
    return scanned >= fanOutBatchSize ? 0 : pollIntervalMs;
  };

  const registered = new Set<string>();
  const register = async (subscriber: Subscriber) => {
    if (registered.has(subscriber.name)) return;
    await registerSubscriber(db.pool, { name: subscriber.name, events: subscriber.events, startAt: subscriber.startAt ?? 'earliest' });
    registered.add(subscriber.name);
    wakeFanOut();
  };

  function deliveryStep(subscriber: Subscriber): () => Promise<number> {
    const subscriberLogger = withFields(logger, { subscriber: subscriber.name });
    return async () => {
      await register(subscriber);
      const outcome = await deliverBatch(db.pool, {
        subscriber: subscriber.name,
        limit: batchSize,
        maxAttempts,
        backoff: retryBackoff,
        handle: (event) => subscriber.handle(event),
        keepGoing: () => running,
        onFailure: (event, error, fate) =>
          subscriberLogger[fate.dead ? 'error' : 'warn'](
            { error: describeError(error), eventId: event.id, event: event.name, taskId: event.taskId, attempts: fate.attempts, retryInMs: fate.retryInMs },
            fate.dead ? 'subscriber failed on this event for the last time: it is a dead letter on /alerts' : 'subscriber failed; this event will be retried',
          ),
      });
      return outcome.claimed >= batchSize && outcome.delivered + outcome.failed > 0 ? 0 : pollIntervalMs;
    };
  }

  const retention = options.retention;
  const retentionStep = (settings: NonNullable<EventDispatcherOptions['retention']>) => async () => {
    const purged = await purgeHistory(db.pool, {
      retentionDays: settings.days,
      runRetentionDays: settings.runDays,
      runHolds: settings.runHolds,
      batchSize: settings.batchSize,
      runBatchSize: settings.runBatchSize,
      keepGoing: () => running,
      logger,
    });
    if (purged.events + purged.attempts + purged.runs > 0) {
      logger.info({ ...purged, retentionDays: settings.days, runRetentionDays: settings.runDays }, 'purged history past its retention');
    }
    return settings.intervalMs ?? 3_600_000;
  };

  return {
    id,
    async start() {
      if (running) return;
      running = true;
      // Registered before start() returns, so a subscriber starting at the latest event misses nothing written
      // after it; a database that is down now is retried by the delivery loops.
      await Promise.all(
        options.subscribers.map((subscriber) =>
          register(subscriber).catch((error: unknown) => logger.warn({ subscriber: subscriber.name, error: describeError(error) }, 'could not register the subscriber yet')),
        ),
      );
      listener.start();
      const pollLoop = (name: string, pass: () => Promise<number>) =>
        createPollLoop({ name: `event dispatcher loop ${name}`, intervalMs: pollIntervalMs, pass, logger, failureBackoff: LOOP_BACKOFF });
      fanOutLoop = pollLoop('fan-out', fanOutStep);
      deliveryLoops.push(...options.subscribers.map((subscriber) => pollLoop(`deliver:${subscriber.name}`, deliveryStep(subscriber))));
      loops.push(fanOutLoop, ...deliveryLoops);
      if (retention) loops.push(pollLoop('retention', retentionStep(retention)));
      for (const loop of loops) loop.start();
    },
    async stop() {
      if (!running) return;
      running = false;
      await listener.stop();
      await Promise.allSettled(loops.map((loop) => loop.stop()));
      loops.length = 0;
      deliveryLoops.length = 0;
      fanOutLoop = undefined;
    },
  };
}
