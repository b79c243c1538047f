/**
 * extract_orders: fixes which orders this run computes from (./orders-boundary.ts), reporting progress the seed's
 * way ("Processed 12000/48000 orders (25.0%)").
 *
 * Orders in the app's database are not copied: one statement pins the boundary (window, highest order id and a
 * fingerprint) and the transforms read shop.* inside it — copying a million orders only for the transforms to
 * read the copy again cost several times the transforms themselves.
 *
 * Orders in a separate database are copied into this run's own unlogged tables (../order-copy.ts) in batches,
 * each batch streamed COPY to COPY and committed together with a checkpoint (the last order id copied), so a
 * retried attempt — after a dropped connection, say — resumes after the last committed batch.
 */
import { z } from 'zod';
import pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { StaleAttemptError } from '@/lib/engine';
import { toOrdersDbError } from '@/lib/sources/orders-db';
import { copyOrderItemsOut, copyOrdersOut, nextOrderIdRange } from '@/lib/sources/orders-copy';
import { clearCheckpoint, readCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoints';
import { copyTables, finishCopy, ITEM_COLUMNS, loadCopyStream, ORDER_COLUMNS, prepareCopy } from '../order-copy';
import { pinSourceBoundary, type OrdersBoundary } from '../orders-boundary';
import type { CustomerAnalyticsSources } from '../sources';
import { asStepError } from '../sources';

export type ExtractResult = {
  total_count: number;
  date_range: { start_date: string; end_date: string };
  extracted_at: string;
};

/**
 * An extract's result schema (what an operator completing extract_users or extract_products by hand supplies). The
 * rows themselves are staged by the step, so a hand-supplied summary brings none: a transform refuses when the
 * summary claims rows that are not staged (assertStagingPresent), and a count of 0 gives empty figures that the
 * data-quality gate judges.
 */
export const extractResultSchema = z
  .object({
    total_count: z.number().int().min(0),
    date_range: z.object({ start_date: z.iso.date(), end_date: z.iso.date() }).strict(),
    extracted_at: z.iso.datetime({ offset: true }),
  })
  .strict();

export type ExtractOrdersResult = ExtractResult & {
  /** What the transforms read: see ../orders-boundary.ts. */
  boundary: OrdersBoundary;
};

export interface ExtractOrdersInput {
  taskId: string;
  startDate: string;
  endDate: string;
  progress(message: string, percent?: number): void;
  signal: AbortSignal;
  /** Called first in every batch's transaction: refuses the write once this attempt was superseded. */
  fence(client: pg.ClientBase): Promise<void>;
}

const STEP = 'extract_orders';
const COPY_BATCH_SIZE = 100_000;

/** [from, to): midnight UTC of the start date up to midnight after the end date. */
export function windowBounds(startDate: string, endDate: string): { from: Date; to: Date } {
  const to = new Date(`${endDate}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: new Date(`${startDate}T00:00:00Z`), to };
}

function reportProgress(input: ExtractOrdersInput, processed: number, total: number) {
  const percent = total > 0 ? Math.round((processed / total) * 1000) / 10 : 100;
  input.progress(`Processed ${processed}/${total} orders (${percent.toFixed(1)}%)`, percent);
}

export async function extractOrders(
  appPool: pg.Pool,
  sources: CustomerAnalyticsSources,
  input: ExtractOrdersInput,
): Promise<ExtractOrdersResult> {
  const window = windowBounds(input.startDate, input.endDate);
  try {
    const boundary = sources.ordersInAppDatabase
      ? await pinInDatabase(sources, input, window)
      : await copyFromSeparateDatabase(appPool, sources, input, window);
    return {
      total_count: boundary.orders,
      date_range: { start_date: input.startDate, end_date: input.endDate },
      extracted_at: new Date().toISOString(),
      boundary,
    };
  } catch (error) {
    if (input.signal.aborted && error === input.signal.reason) throw error;
    if (error instanceof StaleAttemptError) throw error;
    throw asStepError(toOrdersDbError(error));
  }
}

/**
 * Runs `work` on a dedicated orders connection, after giving the orders database's injected fault its chance to
 * terminate it (the demo's `orders_db.failure_rate`, when the sources carry the hook). After any failure the connection is destroyed, not pooled: it may
 * be dead, or still inside the batch's transaction.
 */
async function onOrdersConnection<T>(sources: CustomerAnalyticsSources, work: (client: pg.PoolClient, strike: () => Promise<void>) => Promise<T>): Promise<T> {
  const client = await sources.ordersPool.connect();
  // A server-side termination reaches the client as an 'error' event (without a listener, an uncaught exception).
  // It carries the server's own message, which the failed query may not: node-pg then only says "not queryable".
  let connectionError: Error | undefined;
  const onError = (error: Error) => {
    connectionError ??= error;
  };
  client.on('error', onError);
  let failed: Error | undefined;
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const strike = async () => {
      if (pid !== undefined && sources.injectOrdersFault) await sources.injectOrdersFault(pid);
    };
    return await work(client, strike);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    if (connectionError && !(error instanceof pg.DatabaseError) && !(error instanceof StaleAttemptError)) throw connectionError;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(failed ?? connectionError);
  }
}

async function pinInDatabase(sources: CustomerAnalyticsSources, input: ExtractOrdersInput, window: { from: Date; to: Date }): Promise<OrdersBoundary> {
  return onOrdersConnection(sources, async (client, strike) => {
    await strike();
    const boundary = await pinSourceBoundary(client, window.from, window.to);
    reportProgress(input, boundary.orders, boundary.orders);
    return boundary;
  });
}

async function copyFromSeparateDatabase(
  appPool: pg.Pool,
  sources: CustomerAnalyticsSources,
  input: ExtractOrdersInput,
  window: { from: Date; to: Date },
): Promise<OrdersBoundary> {
  const tables = copyTables(input.taskId);
  const batchSize = sources.ordersBatchSize ?? COPY_BATCH_SIZE;
  let checkpoint: Checkpoint = await prepareCopy(appPool, tables, await readCheckpoint(appPool, input.taskId, STEP));
  if (checkpoint.rows === 0) await clearCheckpoint(appPool, input.taskId, STEP);
  const counted = await sources.ordersPool.query<{ total: number }>(
    'SELECT count(*)::int AS total FROM shop.orders WHERE created_at >= $1 AND created_at < $2',
    [window.from, window.to],
  );
  const total = counted.rows[0]?.total ?? 0;
  reportProgress(input, checkpoint.rows, total);

  await onOrdersConnection(sources, async (source, strike) => {
    for (;;) {
      input.signal.throwIfAborted();
      await strike();
      // One snapshot of the source per batch: its orders and their items agree.
      await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const range = await nextOrderIdRange(source, window, Number(checkpoint.position), batchSize);
      if (!range) {
        await source.query('COMMIT');
        return;
      }
      const next: Checkpoint = { position: String(range.lastId), rows: checkpoint.rows + range.orders, batches: checkpoint.batches + 1 };
      await withTransaction(appPool, async (app) => {
        await input.fence(app);
        await loadCopyStream(app, tables.orders, ORDER_COLUMNS, copyOrdersOut(source, window, range));
        await loadCopyStream(app, tables.items, ITEM_COLUMNS, copyOrderItemsOut(source, window, range));
        await saveCheckpoint(app, input.taskId, STEP, next);
      });
      await source.query('COMMIT');
      checkpoint = next;
      reportProgress(input, checkpoint.rows, total);
      if (range.orders < batchSize) return;
    }
  });
  await finishCopy(appPool, tables);
  await clearCheckpoint(appPool, input.taskId, STEP);
  return { kind: 'copy', orders_table: tables.orders, items_table: tables.items, orders: checkpoint.rows };
}
