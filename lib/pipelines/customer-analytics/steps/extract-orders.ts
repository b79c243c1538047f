/**
 * extract_orders: copies the window's orders and their items into this task's staging tables, in batches,
 * reporting progress the seed's way ("Processed 12000/48000 orders (25.0%)").
 *
 * When the orders live in the app's database, each batch is one INSERT … SELECT inside PostgreSQL: no row
 * crosses this process, so memory stays flat at any size. Otherwise batches stream through the orders reader
 * of lib/sources and are written with one multi-row insert per table per batch.
 * Every batch commits its rows together with a checkpoint (the last order id staged), so a retried attempt —
 * after a dropped connection, say — resumes after the last committed batch; a fresh run clears the task's rows.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { maybeTerminateBackend, readOrderBatches, toOrdersDbError } from '@/lib/sources/orders-db';
import { clearCheckpoint, readCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoints';
import { analyzeStaging } from '../staging';
import type { CustomerAnalyticsSources } from '../sources';
import { asStepError } from '../sources';

export interface ExtractResult {
  total_count: number;
  date_range: { start_date: string; end_date: string };
  extracted_at: string;
}

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
const IN_DATABASE_BATCH_SIZE = 50_000;
const STREAMED_BATCH_SIZE = 5_000;

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

export async function clearStagedOrders(appPool: pg.Pool, taskId: string): Promise<void> {
  await appPool.query('DELETE FROM analytics.staging_order_items WHERE task_id = $1', [taskId]);
  await appPool.query('DELETE FROM analytics.staging_orders WHERE task_id = $1', [taskId]);
}

export async function extractOrders(
  appPool: pg.Pool,
  sources: CustomerAnalyticsSources,
  input: ExtractOrdersInput,
): Promise<ExtractResult> {
  const { from, to } = windowBounds(input.startDate, input.endDate);
  try {
    const saved = await readCheckpoint(appPool, input.taskId, STEP);
    if (!saved) await clearStagedOrders(appPool, input.taskId);
    const counted = await sources.ordersPool.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM shop.orders WHERE created_at >= $1 AND created_at < $2',
      [from, to],
    );
    const total = counted.rows[0]?.total ?? 0;
    const start: Checkpoint = saved ?? { position: '0', rows: 0, batches: 0 };
    reportProgress(input, start.rows, total);
    const window = { from, to, total, start };
    const processed = sources.ordersInAppDatabase
      ? await copyInDatabase(sources, input, window)
      : await copyStreamed(appPool, sources, input, window);
    await clearCheckpoint(appPool, input.taskId, STEP);
    await analyzeStaging(appPool, ['analytics.staging_orders', 'analytics.staging_order_items']);
    return {
      total_count: processed,
      date_range: { start_date: input.startDate, end_date: input.endDate },
      extracted_at: new Date().toISOString(),
    };
  } catch (error) {
    if (input.signal.aborted && error === input.signal.reason) throw error;
    throw asStepError(toOrdersDbError(error));
  }
}

interface CopyWindow {
  from: Date;
  to: Date;
  total: number;
  /** Where the previous attempt stopped (position = last order id staged). */
  start: Checkpoint;
}

// One statement per batch: the batch's orders, their items and the checkpoint land together or not at all.
const COPY_BATCH_SQL = `
WITH batch AS (
  SELECT id, customer_id, total_amount, created_at FROM shop.orders
  WHERE created_at >= $2 AND created_at < $3 AND id > $4
  ORDER BY id LIMIT $5
), staged_orders AS (
  INSERT INTO analytics.staging_orders (task_id, order_id, customer_id, total_amount, created_at)
  SELECT $1, id, customer_id, total_amount, created_at FROM batch
), staged_items AS (
  INSERT INTO analytics.staging_order_items (task_id, order_id, product_id, quantity, price)
  SELECT $1, i.order_id, i.product_id, i.quantity, i.price FROM shop.order_items i JOIN batch b ON b.id = i.order_id
), checkpoint AS (
  INSERT INTO analytics.extract_checkpoints (task_id, step, position, rows, batches)
  SELECT $1, '${STEP}', max(id)::text, $6 + count(*), $7 + 1 FROM batch HAVING count(*) > 0
  ON CONFLICT (task_id, step) DO UPDATE SET position = EXCLUDED.position, rows = EXCLUDED.rows,
    batches = EXCLUDED.batches, updated_at = now()
)
SELECT count(*)::int AS copied, max(id)::int8 AS last_id FROM batch`;

async function copyInDatabase(
  sources: CustomerAnalyticsSources,
  input: ExtractOrdersInput,
  window: CopyWindow,
): Promise<number> {
  const batchSize = sources.ordersBatchSize ?? IN_DATABASE_BATCH_SIZE;
  const client = await sources.ordersPool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    let lastId = Number(window.start.position);
    let processed = window.start.rows;
    let batches = window.start.batches;
    for (;;) {
      input.signal.throwIfAborted();
      if (pid !== undefined) await maybeTerminateBackend(sources.ordersPool, pid, await sources.ordersFailureRate());
      let result: pg.QueryResult<{ copied: number; last_id: number | null }>;
      try {
        await client.query('BEGIN');
        await input.fence(client);
        result = await client.query(COPY_BATCH_SQL, [input.taskId, window.from, window.to, lastId, batchSize, processed, batches]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        broken ??= error instanceof Error ? error : new Error(String(error));
        throw broken;
      }
      const row = result.rows[0];
      if (!row || row.copied === 0 || row.last_id === null) break;
      processed += row.copied;
      batches += 1;
      lastId = row.last_id;
      reportProgress(input, processed, window.total);
      if (row.copied < batchSize) break;
    }
    return processed;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

async function copyStreamed(
  appPool: pg.Pool,
  sources: CustomerAnalyticsSources,
  input: ExtractOrdersInput,
  window: CopyWindow,
): Promise<number> {
  let checkpoint = window.start;
  for await (const batch of readOrderBatches({
    pool: sources.ordersPool,
    from: window.from,
    to: window.to,
    afterId: Number(checkpoint.position),
    batchSize: sources.ordersBatchSize ?? STREAMED_BATCH_SIZE,
    failureRate: sources.ordersFailureRate,
    signal: input.signal,
  })) {
    const items = batch.orders.flatMap((order) => order.items.map((item) => ({ order_id: order.id, ...item })));
    const next: Checkpoint = { position: String(batch.lastId), rows: checkpoint.rows + batch.orders.length, batches: checkpoint.batches + 1 };
    await withTransaction(appPool, async (client) => {
      await input.fence(client);
      await client.query(
        `WITH staged AS (
           INSERT INTO analytics.staging_orders (task_id, order_id, customer_id, total_amount, created_at)
           SELECT $1, * FROM unnest($2::int8[], $3::int8[], $4::numeric[], $5::timestamptz[]))
         INSERT INTO analytics.staging_order_items (task_id, order_id, product_id, quantity, price)
         SELECT $1, * FROM unnest($6::int8[], $7::int8[], $8::int4[], $9::numeric[])`,
        [
          input.taskId,
          batch.orders.map((o) => o.id),
          batch.orders.map((o) => o.customer_id),
          batch.orders.map((o) => o.total_amount),
          batch.orders.map((o) => o.created_at),
          items.map((i) => i.order_id),
          items.map((i) => i.product_id),
          items.map((i) => i.quantity),
          items.map((i) => i.price),
        ],
      );
      await saveCheckpoint(client, input.taskId, STEP, next);
    });
    checkpoint = next;
    reportProgress(input, checkpoint.rows, window.total);
  }
  return checkpoint.rows;
}
