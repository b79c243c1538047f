/**
 * What the customer_analytics pipeline talks to, passed in explicitly so tests and benchmarks can point it at
 * their own servers: the orders database, the CRM and inventory APIs, and the Slack-compatible webhook.
 */
import type pg from 'pg';
import { PermanentError, RetryableError } from '@/lib/engine';
import type { CrmUserRecord } from '@/lib/sources/crm-client';
import type { InventoryProductRecord } from '@/lib/sources/inventory-client';
import type { PagedSource } from '@/lib/sources/paged-source';
import type { SlackClient } from '@/lib/sources/slack-client';
import { SourceError } from '@/lib/sources/source-error';

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

/** Maps a source failure onto the engine's retry policy: transient → RetryableError, contract errors → PermanentError. */
export function asStepError(error: unknown): unknown {
  if (!(error instanceof SourceError)) return error;
  return error.retryable
    ? new RetryableError(error.message, { retryAfterMs: error.retryAfterMs, cause: error })
    : new PermanentError(error.message, { cause: error });
}

/** Runs `work`, translating source failures for the engine. */
export async function translatingSourceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStepError(error);
  }
}
