/**
 * What the customer_analytics pipeline talks to, passed in explicitly so tests and benchmarks can point it at
 * their own servers: the orders database, the CRM and inventory APIs, and the Slack-compatible webhook.
 */
import type pg from 'pg';
import type { CrmUserRecord } from '@/lib/sources/crm-client';
import type { InventoryProductRecord } from '@/lib/sources/inventory-client';
import type { PagedSource } from '@/lib/sources/paged-source';
import type { SlackClient } from '@/lib/sources/slack-client';

export interface CustomerAnalyticsSources {
  /** Pool on the orders database (schema `shop`). */
  ordersPool: pg.Pool;
  /**
   * True when the orders live in the app's own database: the extract then only pins a boundary and the transforms
   * read shop.* in place; otherwise the window is copied into the run's own tables (see ./orders-boundary.ts).
   */
  ordersInAppDatabase: boolean;
  /** Orders per copy batch (and checkpoint) when the orders are copied from another database; default 100,000. */
  ordersBatchSize?: number;
  /**
   * Called with the reader's backend pid before every batch (and before pinning): the demo's fault injection hooks
   * in here. A real deployment passes none.
   */
  injectOrdersFault?: (pid: number) => Promise<void>;
  crm: PagedSource<CrmUserRecord>;
  inventory: PagedSource<InventoryProductRecord>;
  slack: SlackClient;
}

/** Source failures in the engine's terms (shared by every pipeline). */
export { asStepError, translatingSourceErrors } from '@/lib/sources/step-errors';
