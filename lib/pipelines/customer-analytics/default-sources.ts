/**
 * The sources a running Nightshift uses: the orders in the app database (or SOURCE_DATABASE_URL), and the CRM,
 * inventory and Slack endpoints from the environment (the built-in demo endpoints by default).
 */
import type { DbHandle } from '@/db/client';
import { env, type Env } from '@/lib/env';
import { ordersFaultInjector } from '@/lib/demo/orders-db-faults';
import { createCrmClient, defaultCrmUrl } from '@/lib/sources/crm-client';
import { createInventoryClient, defaultInventoryUrl } from '@/lib/sources/inventory-client';
import { openOrdersDatabase } from '@/lib/sources/orders-database';
import { createSlackClient, defaultSlackWebhookUrl } from '@/lib/sources/slack-client';
import type { CustomerAnalyticsSources } from './sources';

export type SourceSettings = Pick<Env, 'DATABASE_URL' | 'SOURCE_DATABASE_URL' | 'SOURCE_TIMEOUT_MS' | 'SOURCE_PAGE_SIZE' | 'CRM_URL' | 'INVENTORY_URL' | 'SLACK_WEBHOOK_URL'>;

/** Every source client gets SOURCE_TIMEOUT_MS: a source that hangs fails the attempt instead of holding it. */
export function sourcesFromSettings(app: DbHandle, settings: SourceSettings = env()): CustomerAnalyticsSources {
  const timeoutMs = settings.SOURCE_TIMEOUT_MS;
  // Large pages by default: extract_users is on the run's critical path and each page costs a request and a
  // committed checkpoint (100,000 users alone: 1.27 s in pages of 1,000, 0.90 s in pages of 5,000).
  const pageSize = settings.SOURCE_PAGE_SIZE;
  const orders = openOrdersDatabase(app, settings);
  return {
    ordersPool: orders.pool,
    ordersInAppDatabase: orders.inAppDatabase,
    injectOrdersFault: ordersFaultInjector(app.db, orders.pool),
    crm: createCrmClient({ pageSize, timeoutMs, baseUrl: settings.CRM_URL ?? defaultCrmUrl() }),
    inventory: createInventoryClient({ pageSize, timeoutMs, baseUrl: settings.INVENTORY_URL ?? defaultInventoryUrl() }),
    slack: createSlackClient({ timeoutMs, webhookUrl: settings.SLACK_WEBHOOK_URL ?? defaultSlackWebhookUrl() }),
  };
}

// One set per app database handle: a separate orders pool is opened once per process, not per attempt.
const sourcesByDb = new WeakMap<DbHandle, CustomerAnalyticsSources>();

export function defaultSourcesFor(app: DbHandle): CustomerAnalyticsSources {
  let sources = sourcesByDb.get(app);
  if (!sources) {
    sources = sourcesFromSettings(app);
    sourcesByDb.set(app, sources);
  }
  return sources;
}
