/**
 * PagerDuty Events API v2 client: POSTs `{ routing_key, event_action, dedup_key, payload }` to the events
 * endpoint (PAGERDUTY_EVENTS_URL, default https://events.pagerduty.com/v2/enqueue), which answers 202.
 * Without a routing key there is nothing real to page: the demo sink stores the event in demo.pagerduty_events
 * (shown nowhere but the database and the tests), so a demo install still shows what would have been sent.
 */
import type pg from 'pg';
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

export function createDemoPagerDutySink(pool: pg.Pool): PagerDutyClient {
  return {
    async send(event) {
      await pool.query(`INSERT INTO demo.pagerduty_events (event_action, dedup_key, payload) VALUES ($1, $2, $3)`, [
        event.event_action,
        event.dedup_key,
        JSON.stringify({ routing_key: 'demo', ...event }),
      ]);
    },
  };
}
