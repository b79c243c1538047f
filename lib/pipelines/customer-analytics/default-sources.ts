/**
 * The sources a running Nightshift uses: the orders in the app database (or SOURCE_DATABASE_URL), and the CRM,
 * inventory and Slack endpoints from the environment (the built-in demo endpoints by default).
 */
import { createPool, type DbHandle } from '@/db/client';
import { env } from '@/lib/env';
import { readOrdersDbFailureRate } from '@/lib/sources/chaos';
import { createCrmClient } from '@/lib/sources/crm-client';
import { createInventoryClient } from '@/lib/sources/inventory-client';
import { createSlackClient } from '@/lib/sources/slack-client';
import type { CustomerAnalyticsSources } from './sources';

// The APIs' largest page: extract_users is on the critical path (the transforms wait for it), and each page costs a
// request and a committed transaction, so 100,000 users in 20 pages instead of 100 saves most of that overhead.
const PAGE_SIZE = 5_000;
const HTTP_TIMEOUT_MS = 30_000;

function createDefaultSources(app: DbHandle): CustomerAnalyticsSources {
  const sourceUrl = env().SOURCE_DATABASE_URL;
  const separate = sourceUrl !== undefined && sourceUrl !== env().DATABASE_URL;
  const orders = separate ? createPool(sourceUrl, { max: 4, applicationName: 'nightshift-orders-source' }) : app;
  return {
    ordersPool: orders.pool,
    ordersInAppDatabase: !separate,
    ordersFailureRate: () => readOrdersDbFailureRate(app.db),
    crm: createCrmClient({ pageSize: PAGE_SIZE, timeoutMs: HTTP_TIMEOUT_MS }),
    inventory: createInventoryClient({ pageSize: PAGE_SIZE, timeoutMs: HTTP_TIMEOUT_MS }),
    slack: createSlackClient({ timeoutMs: HTTP_TIMEOUT_MS }),
  };
}

// One set per app database handle: a separate orders pool is opened once per process, not per attempt.
const sourcesByDb = new WeakMap<DbHandle, CustomerAnalyticsSources>();

export function defaultSourcesFor(app: DbHandle): CustomerAnalyticsSources {
  let sources = sourcesByDb.get(app);
  if (!sources) {
    sources = createDefaultSources(app);
    sourcesByDb.set(app, sources);
  }
  return sources;
}
