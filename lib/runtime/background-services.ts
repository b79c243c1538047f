/**
 * The background loops every process runs beside the engine: outgoing-message delivery (alerts to Slack and
 * PagerDuty) and the scheduler (plus the default schedule), with settings from the environment. The web process
 * (./web.ts) and `npm run worker` both start them; both are safe with several processes.
 */
import type { DbHandle } from '@/db/client';
import type { Logger, PipelineRegistry } from '@/lib/engine';
import { createDemoPagerDutySink } from '@/lib/demo/pagerduty-sink';
import { env, type Env } from '@/lib/env';
import { createMessageDelivery, type MessageDelivery } from '@/lib/monitoring/delivery';
import { createPagerDutyClient } from '@/lib/monitoring/pagerduty-client';
import { defaultSlackWebhookUrl } from '@/lib/sources/slack-client';
import type { MonitoringMetrics } from '@/lib/monitoring/metrics';
import { alertLinkBaseUrl } from '@/lib/monitoring/settings';
import { createScheduler, ensureDeclaredSchedules, type Scheduler } from '@/lib/scheduling';
import { declaredSchedules } from './registry';
import { deliverySettingsFromEnv } from '@/lib/delivery/clock';
import { backfillSchedulerHooks } from './subscribers';

/** Alert delivery: PagerDuty when PAGERDUTY_ROUTING_KEY is set, else the demo sink; Slack at SLACK_WEBHOOK_URL. */
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

export interface BackgroundServices {
  delivery: MessageDelivery;
  scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

export async function startBackgroundServices(options: {
  db: DbHandle;
  registry: PipelineRegistry;
  logger: Logger;
  metrics?: MonitoringMetrics;
}): Promise<BackgroundServices> {
  const settings = env();
  const delivery = createDeliveryFromSettings(options.db, settings, options.logger, options.metrics);
  delivery.start();
  let scheduler: Scheduler | undefined;
  if (settings.SCHEDULER_ENABLED) {
    // Not fatal: the scheduler still serves existing schedules, and the next process start tries again.
    await ensureDeclaredSchedules(options.db.pool, declaredSchedules(deliverySettingsFromEnv(settings))).catch((error: unknown) =>
      options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not create the declared schedules'),
    );
    scheduler = createScheduler({
      db: options.db,
      registry: options.registry,
      logger: options.logger,
      catchUpMaxAgeDays: settings.CATCH_UP_MAX_AGE_DAYS,
      deadlinePageLeadMinutes: settings.DEADLINE_PAGE_LEAD_MINUTES,
      tickMs: settings.SCHEDULER_TICK_MS,
      linkBaseUrl: alertLinkBaseUrl(),
      onAlerts: () => delivery.wake(),
      // Catch-up after downtime becomes a backfill of the missed days; each tick also promotes waiting backfill days.
      ...backfillSchedulerHooks({ db: options.db, registry: options.registry, logger: options.logger }),
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
