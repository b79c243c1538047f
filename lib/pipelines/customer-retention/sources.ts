/**
 * What the customer_retention pipeline talks to, passed in explicitly so tests can point it elsewhere: the orders
 * database, the Slack-compatible webhook, and the time zone whose calendar months it counts in.
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { env, type Env } from '@/lib/env';
import { openOrdersDatabase } from '@/lib/sources/orders-database';
import { createSlackClient, defaultSlackWebhookUrl, type SlackClient } from '@/lib/sources/slack-client';

export interface CustomerRetentionSources {
  /** Pool on the orders database (schema `shop`). */
  ordersPool: pg.Pool;
  slack: SlackClient;
  /** IANA zone of the calendar months: DELIVERY_TIMEZONE, the zone the delivery and the dashboard count days in. */
  timeZone: string;
}

type SourceSettings = Pick<Env, 'DATABASE_URL' | 'SOURCE_DATABASE_URL' | 'SOURCE_TIMEOUT_MS' | 'SLACK_WEBHOOK_URL' | 'DELIVERY_TIMEZONE'>;

export function sourcesFromSettings(app: DbHandle, settings: SourceSettings = env()): CustomerRetentionSources {
  return {
    ordersPool: openOrdersDatabase(app, settings).pool,
    slack: createSlackClient({ timeoutMs: settings.SOURCE_TIMEOUT_MS, webhookUrl: settings.SLACK_WEBHOOK_URL ?? defaultSlackWebhookUrl() }),
    timeZone: settings.DELIVERY_TIMEZONE,
  };
}

// One set per app database handle: a separate orders pool is opened once per process, not per attempt.
const sourcesByDb = new WeakMap<DbHandle, CustomerRetentionSources>();

export function defaultSourcesFor(app: DbHandle): CustomerRetentionSources {
  let sources = sourcesByDb.get(app);
  if (!sources) {
    sources = sourcesFromSettings(app);
    sourcesByDb.set(app, sources);
  }
  return sources;
}
