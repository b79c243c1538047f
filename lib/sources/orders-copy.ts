/**
 * COPY-speed reads of the orders database for one batch of a window: the batch's id range, then its orders and
 * their items as COPY text streams that a caller pipes straight into its own COPY … FROM STDIN — rows are never
 * parsed in this process, so memory stays flat and the cost is close to PostgreSQL's own copy.
 *
 * COPY (query) TO takes no bind parameters, so the only values spliced into the SQL are a Date's ISO text and
 * safe integers, both produced here.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';

export interface OrderIdRange {
  /** Exclusive lower bound: the last id of the previous batch. */
  afterId: number;
  /** Inclusive upper bound: the last id of this batch. */
  lastId: number;
  orders: number;
}

const isoLiteral = (date: Date) => `'${date.toISOString()}'::timestamptz`;

function idLiteral(id: number): string {
  if (!Number.isSafeInteger(id)) throw new Error(`not an order id: ${id}`);
  return `${id}::int8`;
}

/** The next batch after `afterId`: up to `limit` orders of the window, by id; null when none is left. */
export async function nextOrderIdRange(client: pg.ClientBase, window: { from: Date; to: Date }, afterId: number, limit: number): Promise<OrderIdRange | null> {
  const { rows } = await client.query<{ last_id: string | null; orders: number }>(
    `SELECT max(id)::text AS last_id, count(*)::int AS orders FROM (
       SELECT id FROM shop.orders WHERE created_at >= $1 AND created_at < $2 AND id > $3 ORDER BY id LIMIT $4) batch`,
    [window.from, window.to, afterId, limit],
  );
  const row = rows[0];
  if (!row || row.last_id === null || row.orders === 0) return null;
  return { afterId, lastId: Number(row.last_id), orders: row.orders };
}

function batchPredicate(alias: string, window: { from: Date; to: Date }, range: OrderIdRange): string {
  return `${alias}.created_at >= ${isoLiteral(window.from)} AND ${alias}.created_at < ${isoLiteral(window.to)}
          AND ${alias}.id > ${idLiteral(range.afterId)} AND ${alias}.id <= ${idLiteral(range.lastId)}`;
}

/** COPY text of the batch's orders: id, customer_id, total_amount, created_at. */
export function copyOrdersOut(client: pg.ClientBase, window: { from: Date; to: Date }, range: OrderIdRange): Readable {
  return client.query(
    copyTo(`COPY (SELECT o.id, o.customer_id, o.total_amount, o.created_at FROM shop.orders o WHERE ${batchPredicate('o', window, range)}) TO STDOUT`),
  );
}

/** COPY text of the batch's items: order_id, product_id, quantity, price. */
export function copyOrderItemsOut(client: pg.ClientBase, window: { from: Date; to: Date }, range: OrderIdRange): Readable {
  return client.query(
    copyTo(
      `COPY (SELECT i.order_id, i.product_id, i.quantity, i.price FROM shop.order_items i JOIN shop.orders o ON o.id = i.order_id
             WHERE ${batchPredicate('o', window, range)}) TO STDOUT`,
    ),
  );
}
