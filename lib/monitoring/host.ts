/**
 * Monitoring built from the environment's settings: the pipeline monitor subscriber (for the event dispatcher)
 * and outgoing-message delivery. lib/runtime starts them in each process.
 */
import type { DbHandle } from '@/db/client';
import type { Logger, Subscriber } from '@/lib/engine';
import { defaultSlackWebhookUrl } from '@/lib/sources/slack-client';
import { env, type Env } from '@/lib/env';
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
