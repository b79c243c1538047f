/**
 * Where PagerDuty events go without a routing key: there is nothing real to page, so the event is stored in
 * demo.pagerduty_events (shown nowhere but the database and the tests), and a demo install still shows what would
 * have been sent.
 */
import type pg from 'pg';
import type { PagerDutyClient } from '@/lib/monitoring/pagerduty-client';

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
