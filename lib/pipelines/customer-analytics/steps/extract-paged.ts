/**
 * extract_users and extract_products: follow the CRM's or the inventory's cursors page by page, writing each
 * page to this task's staging table together with a checkpoint, in one transaction. A failed attempt's retry
 * resumes after the last committed page; a fresh run (no checkpoint) clears the task's rows first.
 * Only one page is ever held in memory. Neither API reports a total, so progress counts rows.
 *
 * A page is staged with COPY, PostgreSQL's bulk path: about half the server time of the INSERT … SELECT unnest(…)
 * it replaced (100,000 CRM users: 230–280 ms against 410–420 ms of backend CPU), and extract_users is on the run's
 * critical path. COPY has no ON CONFLICT, so a page that repeats a row already staged (a source that serves a user
 * twice) is written again through a temporary table with ON CONFLICT DO NOTHING: the first row wins, as before.
 */
import { Readable } from 'node:stream';
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import type { CrmUserRecord } from '@/lib/sources/crm-client';
import type { InventoryProductRecord } from '@/lib/sources/inventory-client';
import type { Page, PagedSource } from '@/lib/sources/paged-source';
import { clearCheckpoint, readCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoints';
import { loadCopyStream } from '../order-copy';
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
  /** The staging table's columns after task_id, in the order `values` lists them. */
  columns: string[];
  values(item: T): (string | number)[];
  /** The columns the transforms join and filter on: the only ones ANALYZE needs to sample. */
  analyzedColumns: string[];
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped (the sources send no nulls). */
function copyText(value: string | number): string {
  return typeof value === 'number' ? String(value) : value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c);
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const copyRows = (client: pg.PoolClient, table: string, columns: string[], text: string) => loadCopyStream(client, table, columns, Readable.from([text]));

const isUniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';

/** Stages one page; with `dedupe`, rows whose key is already staged (or repeated in the page) are skipped. */
async function stagePage<T>(client: pg.PoolClient, extract: PagedExtract<T>, taskId: string, items: T[], dedupe: boolean): Promise<void> {
  const columns = ['task_id', ...extract.columns];
  const text = items.map((item) => `${taskId}\t${extract.values(item).map(copyText).join('\t')}\n`).join('');
  if (!dedupe) return copyRows(client, extract.stagingTable, columns, text);
  await client.query(`CREATE TEMP TABLE staged_page (LIKE ${extract.stagingTable}) ON COMMIT DROP`);
  await copyRows(client, 'staged_page', columns, text);
  await client.query(`INSERT INTO ${extract.stagingTable} SELECT * FROM staged_page ON CONFLICT DO NOTHING`);
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
      const writePage = (dedupe: boolean) =>
        withTransaction(pool, async (client) => {
          await input.fence(client);
          if (page.items.length > 0) await stagePage(client, extract, input.taskId, page.items, dedupe);
          await saveCheckpoint(client, input.taskId, extract.step, next);
        });
      await writePage(false).catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
        return writePage(true);
      });
      checkpoint = next;
      input.progress(`Processed ${checkpoint.rows} ${extract.noun} (${checkpoint.batches} ${checkpoint.batches === 1 ? 'page' : 'pages'})`);
    }
    await clearCheckpoint(pool, input.taskId, extract.step);
    await analyzeStaging(pool, extract.stagingTable, extract.analyzedColumns);
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
  columns: ['user_id', 'email', 'name', 'country', 'created_at'],
  values: (u) => [u.user_id, u.email, u.name, u.country, u.created_at],
  analyzedColumns: ['task_id', 'user_id'],
};

const PRODUCTS: PagedExtract<InventoryProductRecord> = {
  step: 'extract_products',
  noun: 'products',
  stagingTable: 'analytics.staging_products',
  columns: ['product_id', 'sku', 'name', 'category', 'price', 'stock_on_hand'],
  values: (p) => [p.product_id, p.sku, p.name, p.category, p.price, p.stock_on_hand],
  analyzedColumns: ['task_id', 'product_id'],
};

export const extractUsers = (pool: pg.Pool, crm: PagedSource<CrmUserRecord>, input: PagedExtractInput) => extractPages(pool, crm, USERS, input);

export const extractProducts = (pool: pg.Pool, inventory: PagedSource<InventoryProductRecord>, input: PagedExtractInput) =>
  extractPages(pool, inventory, PRODUCTS, input);
