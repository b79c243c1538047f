/**
 * extract_users and extract_products: follow the CRM's or the inventory's cursors page by page, writing each
 * page to this task's staging table together with a checkpoint, in one transaction. A failed attempt's retry
 * resumes after the last committed page; a fresh run (no checkpoint) clears the task's rows first.
 * Only one page is ever held in memory. Neither API reports a total, so progress counts rows.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import type { CrmUserRecord } from '@/lib/sources/crm-client';
import type { InventoryProductRecord } from '@/lib/sources/inventory-client';
import type { Page, PagedSource } from '@/lib/sources/paged-source';
import { clearCheckpoint, readCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoints';
import { analyzeStaging } from '../staging';
import { translatingSourceErrors } from '../sources';
import type { ExtractResult } from './extract-orders';

interface PagedExtractInput {
  taskId: string;
  startDate: string;
  endDate: string;
  progress(message: string, percent?: number): void;
  signal: AbortSignal;
  /** Called first in every page's transaction: refuses the write once this attempt was superseded. */
  fence(client: pg.ClientBase): Promise<void>;
}

interface PagedExtract<T> {
  step: string;
  noun: string;
  stagingTable: string;
  insertPage(client: pg.PoolClient, taskId: string, rows: T[]): Promise<void>;
}

/** Starts fetching a page; a rejection nobody awaits (the write before it failed) is not an unhandled one. */
function prefetch<T>(source: PagedSource<T>, cursor: string | null, signal: AbortSignal): Promise<Page<T>> {
  const page = source.fetchPage(cursor, { signal });
  page.catch(() => undefined);
  return page;
}

async function extractPages<T>(pool: pg.Pool, source: PagedSource<T>, extract: PagedExtract<T>, input: PagedExtractInput): Promise<ExtractResult> {
  return translatingSourceErrors(async () => {
    const saved = await readCheckpoint(pool, input.taskId, extract.step);
    if (saved) {
      input.progress(`Resuming after ${saved.rows} ${extract.noun} (${saved.batches} pages already staged)`);
    } else {
      await pool.query(`DELETE FROM ${extract.stagingTable} WHERE task_id = $1`, [input.taskId]);
    }
    let checkpoint: Checkpoint = saved ?? { position: null, rows: 0, batches: 0 };
    const exhausted = (cp: Checkpoint) => cp.batches > 0 && cp.position === null;
    // The next page is requested while this one is written, so the source's work and ours overlap (the extract is
    // on the run's critical path). Requests still go out one at a time and in cursor order; a prefetched page whose
    // write never happens (the attempt failed) is dropped, and the retry asks for it again from the checkpoint.
    let nextPage = exhausted(checkpoint) ? undefined : prefetch(source, checkpoint.position, input.signal);
    while (nextPage) {
      const page = await nextPage;
      nextPage = page.nextCursor === null ? undefined : prefetch(source, page.nextCursor, input.signal);
      const next: Checkpoint = { position: page.nextCursor, rows: checkpoint.rows + page.items.length, batches: checkpoint.batches + 1 };
      await withTransaction(pool, async (client) => {
        await input.fence(client);
        if (page.items.length > 0) await extract.insertPage(client, input.taskId, page.items);
        await saveCheckpoint(client, input.taskId, extract.step, next);
      });
      checkpoint = next;
      input.progress(`Processed ${checkpoint.rows} ${extract.noun} (${checkpoint.batches} ${checkpoint.batches === 1 ? 'page' : 'pages'})`);
    }
    await clearCheckpoint(pool, input.taskId, extract.step);
    await analyzeStaging(pool, [extract.stagingTable]);
    return {
      total_count: checkpoint.rows,
      date_range: { start_date: input.startDate, end_date: input.endDate },
      extracted_at: new Date().toISOString(),
    };
  });
}

const USERS: PagedExtract<CrmUserRecord> = {
  step: 'extract_users',
  noun: 'users',
  stagingTable: 'analytics.staging_users',
  async insertPage(client, taskId, users) {
    await client.query(
      `INSERT INTO analytics.staging_users (task_id, user_id, email, name, country, created_at)
       SELECT $1, * FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       ON CONFLICT (task_id, user_id) DO NOTHING`,
      [taskId, users.map((u) => u.user_id), users.map((u) => u.email), users.map((u) => u.name), users.map((u) => u.country), users.map((u) => u.created_at)],
    );
  },
};

const PRODUCTS: PagedExtract<InventoryProductRecord> = {
  step: 'extract_products',
  noun: 'products',
  stagingTable: 'analytics.staging_products',
  async insertPage(client, taskId, products) {
    await client.query(
      `INSERT INTO analytics.staging_products (task_id, product_id, sku, name, category, price, stock_on_hand)
       SELECT $1, * FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::int4[])
       ON CONFLICT (task_id, product_id) DO NOTHING`,
      [
        taskId,
        products.map((p) => p.product_id),
        products.map((p) => p.sku),
        products.map((p) => p.name),
        products.map((p) => p.category),
        products.map((p) => p.price),
        products.map((p) => p.stock_on_hand),
      ],
    );
  },
};

export const extractUsers = (pool: pg.Pool, crm: PagedSource<CrmUserRecord>, input: PagedExtractInput) => extractPages(pool, crm, USERS, input);

export const extractProducts = (pool: pg.Pool, inventory: PagedSource<InventoryProductRecord>, input: PagedExtractInput) =>
  extractPages(pool, inventory, PRODUCTS, input);
