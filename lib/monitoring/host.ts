/**
 * Wiring of monitoring and scheduling into a process, with settings from the environment: the pipeline
 * monitor subscriber (for the event dispatcher), and the background loops — outgoing-message delivery and
 * the scheduler (plus the default schedule). The web process (lib/runtime/web.ts) and `npm run worker` use it.
 */
import type { DbHandle } from '@/db/client';
import type { Logger, PipelineRegistry, Subscriber } from '@/lib/engine';
import { defaultSlackWebhookUrl } from '@/lib/sources/slack-client';
import { env, type Env } from '@/lib/env';
import { createScheduler, ensureDefaultSchedule, type Scheduler, type SchedulerOptions } from '@/lib/scheduling';
import { createMessageDelivery, type MessageDelivery } from './delivery';
import type { MonitoringMetrics } from './metrics';
import { createPipelineMonitor } from './monitor';
import { createDemoPagerDutySink, createPagerDutyClient } from './pagerduty-client';
import { alertLinkBaseUrl } from './settings';

export function createMonitorSubscriber(db: DbHandle, logger: Logger, metrics?: MonitoringMetrics): Subscriber {
  return createPipelineMonitor({ db, logger, metrics, stepNotices: env().ALERT_STEP_NOTICES, linkBaseUrl: alertLinkBaseUrl() });
}

export function createDeliveryFromSettings(db: DbHandle, settings: Env, logger: Logger, metrics?: MonitoringMetrics): MessageDelivery {
  return createMessageDelivery({
    db,
    logger,
    slackWebhookUrl: defaultSlackWebhookUrl(),
    pagerDuty: settings.PAGERDUTY_ROUTING_KEY
      ? createPagerDutyClient({ eventsUrl: settings.PAGERDUTY_EVENTS_URL, routingKey: settings.PAGERDUTY_ROUTING_KEY })
      : createDemoPagerDutySink(db.pool),
    timeoutMs: settings.ALERT_DELIVERY_TIMEOUT_MS,
    backoff: { baseMs: settings.ALERT_DELIVERY_BACKOFF_BASE_MS, capMs: settings.ALERT_DELIVERY_BACKOFF_CAP_MS },
    maxAttempts: settings.ALERT_DELIVERY_MAX_ATTEMPTS,
    pollIntervalMs: settings.ALERT_DELIVERY_POLL_MS,
    onAttempt: metrics ? (target, outcome) => metrics.deliveryAttempts.inc({ target, outcome }) : undefined,
  });
}

export interface MonitoringServices {
  delivery: MessageDelivery;
  scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

export async function startMonitoringServices(options: {
  db: DbHandle;
  registry: PipelineRegistry;
  logger: Logger;
  metrics?: MonitoringMetrics;
  /** Wired by the composition root (lib/runtime): the backfill catch-up and promoter sweep. */
  schedulerHooks?: Pick<SchedulerOptions, 'catchUp' | 'onTick'>;
}): Promise<MonitoringServices> {
  const settings = env();
  const delivery = createDeliveryFromSettings(options.db, settings, options.logger, options.metrics);
  delivery.start();
  let scheduler: Scheduler | undefined;
  if (settings.SCHEDULER_ENABLED) {
    // Not fatal: the scheduler still serves existing schedules, and the next process start tries again.
    await ensureDefaultSchedule(options.db.pool, { timeZone: settings.DELIVERY_TIMEZONE, deadline: settings.DELIVERY_DEADLINE }).catch((error: unknown) =>
      options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not create the default schedule'),
    );
    scheduler = createScheduler({
      db: options.db,
      registry: options.registry,
      logger: options.logger,
      catchUpDays: settings.SCHEDULER_CATCH_UP_DAYS,
      tickMs: settings.SCHEDULER_TICK_MS,
      linkBaseUrl: alertLinkBaseUrl(),
      onAlerts: () => delivery.wake(),
      ...options.schedulerHooks,
    });
    scheduler.start();
  }
  return {
    delivery,
    scheduler,
    async stop() {
      await Promise.all([delivery.stop(), scheduler?.stop()]);
    },
  };
}
