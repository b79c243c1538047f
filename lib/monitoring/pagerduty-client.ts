/**
 * PagerDuty Events API v2 client: POSTs `{ routing_key, event_action, dedup_key, payload }` to the events
 * endpoint (PAGERDUTY_EVENTS_URL, default https://events.pagerduty.com/v2/enqueue), which answers 202.
 * Without a routing key the demo sink (lib/demo/pagerduty-sink.ts) takes its place.
 */
import { postJson } from '@/lib/sources/http-client';
import type { PagerDutyEvent } from './messages';

export interface PagerDutyClient {
  send(event: PagerDutyEvent, options: { timeoutMs: number }): Promise<void>;
}

export function createPagerDutyClient(options: { eventsUrl: string; routingKey: string }): PagerDutyClient {
  return {
    async send(event, call) {
      await postJson(options.eventsUrl, { routing_key: options.routingKey, ...event }, { source: 'pagerduty', timeoutMs: call.timeoutMs });
    },
  };
}
