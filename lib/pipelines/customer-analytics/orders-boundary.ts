/**
 * The orders a run computes from, pinned once by extract_orders and recorded in its result, so every transform —
 * and every retry of one — reads exactly the orders the extract saw.
 *
 * Two kinds:
 * - `source`: the orders live in the app's database. Nothing is copied: the boundary is the window plus the highest
 *   order id present when the extract ran, and a fingerprint (count and sum of the totals) of the orders inside it.
 *   Orders arriving later get higher ids and stay out. Ids do not pin everything, though: a transaction that took a
 *   lower id but committed after the extract, or an edited or deleted order, changes what the boundary covers — the
 *   fingerprint catches that, and the transform refuses (PermanentError) instead of computing from other data than
 *   its siblings did. Items are pinned through their orders (they are written with the order).
 * - `copy`: the orders live in a separate database (SOURCE_DATABASE_URL) and were copied into this run's own two
 *   tables (./order-copy.ts); the copy is only ever written by the extract, so it is its own boundary.
 *
 * Transforms read through `ordersRelations`, two FROM-clause fragments with the same columns for either kind:
 * orders (id, customer_id, total_amount, created_at) and items (order_id, product_id, quantity, price). The items
 * fragment is NOT limited to the run: it must always be joined to the orders fragment.
 */
import type pg from 'pg';
import { z } from 'zod';
import { PermanentError } from '@/lib/engine';

/** A table name this module generated (./order-copy.ts); checked so nothing else is ever spliced into SQL. */
const copyTableName = z.string().regex(/^analytics\.[a-z_]+_[0-9a-f]{32}$/, 'not a copy table name');

export const ordersBoundarySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('source'),
    /** [from, to) as ISO instants. */
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    /** Highest order id in the window when the extract ran; null when the window had no order. */
    max_order_id: z.number().int().nullable(),
    orders: z.number().int(),
    /** Sum of total_amount inside the boundary, as PostgreSQL's exact numeric text. */
    revenue: z.string(),
  }),
  z.object({
    kind: z.literal('copy'),
    orders_table: copyTableName,
    items_table: copyTableName,
    orders: z.number().int(),
  }),
]);

export type OrdersBoundary = z.infer<typeof ordersBoundarySchema>;

/** Reads the boundary from extract_orders' result; a result without one (an older run) needs a fresh extract. */
export function boundaryFromResult(result: unknown): OrdersBoundary {
  const parsed = z.object({ boundary: ordersBoundarySchema }).safeParse(result);
  if (!parsed.success) {
    throw new PermanentError('extract_orders recorded no orders boundary for this run; rerun from the extract steps to compute it again.');
  }
  return parsed.data.boundary;
}

/** Aggregates any statement can add over the orders fragment to report what it saw. */
export const PINNED_FIGURES_SQL = `count(*)::int AS pinned_orders, coalesce(sum(total_amount), 0)::text AS pinned_revenue`;

export interface PinnedFigures {
  pinned_orders: number;
  pinned_revenue: string;
}

/** Pins the boundary for orders in the app database: one statement, so count, sum and highest id agree. */
export async function pinSourceBoundary(client: Pick<pg.ClientBase, 'query'>, from: Date, to: Date): Promise<OrdersBoundary> {
  const { rows } = await client.query<PinnedFigures & { max_id: string | null }>(
    `SELECT ${PINNED_FIGURES_SQL}, max(id)::text AS max_id FROM shop.orders WHERE created_at >= $1 AND created_at < $2`,
    [from, to],
  );
  const row = rows[0];
  return {
    kind: 'source',
    from: from.toISOString(),
    to: to.toISOString(),
    max_order_id: row?.max_id == null ? null : Number(row.max_id),
    orders: row?.pinned_orders ?? 0,
    revenue: row?.pinned_revenue ?? '0',
  };
}

export interface OrdersRelations {
  /** `(SELECT id, customer_id, total_amount, created_at …)` — the run's orders. */
  orders: string;
  /** All items of the source or of the copy; join to `orders` on order_id = id. */
  items: string;
  /** Values for the placeholders the fragments use, numbered from `firstParam`. */
  params: unknown[];
}

export function ordersRelations(boundary: OrdersBoundary, firstParam: number): OrdersRelations {
  if (boundary.kind === 'copy') {
    return {
      orders: `(SELECT order_id AS id, customer_id, total_amount, created_at FROM ${boundary.orders_table})`,
      items: boundary.items_table,
      params: [],
    };
  }
  const [from, to, maxId] = [firstParam, firstParam + 1, firstParam + 2].map((n) => `$${n}`);
  return {
    orders: `(SELECT id, customer_id, total_amount, created_at FROM shop.orders
              WHERE created_at >= ${from}::timestamptz AND created_at < ${to}::timestamptz AND id <= ${maxId}::int8)`,
    items: 'shop.order_items',
    // No order in the window: id <= 0 keeps late arrivals out as well.
    params: [boundary.from, boundary.to, boundary.max_order_id ?? 0],
  };
}

/** numeric text compared by value: a sum over numeric(14,2) says 0.00 where a sum over no rows says 0. */
function sameDecimal(a: string, b: string): boolean {
  const normal = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  return normal(a) === normal(b);
}

/**
 * Throws when what a statement saw inside the boundary differs from what the extract pinned. Call it inside the
 * transaction that wrote from those rows, so the refusal rolls them back.
 */
export function assertBoundaryHeld(boundary: OrdersBoundary, seen: PinnedFigures): void {
  if (boundary.kind === 'copy') return;
  if (seen.pinned_orders === boundary.orders && sameDecimal(seen.pinned_revenue, boundary.revenue)) return;
  throw new PermanentError(
    `The orders inside this run's boundary changed after extract_orders pinned them (${boundary.orders} orders totalling ${boundary.revenue} ` +
      `then, ${seen.pinned_orders} totalling ${seen.pinned_revenue} now); rerun from extract_orders to compute from the current orders.`,
  );
}

/** A copy that was purged (staging retention) cannot be transformed again; the way back is a new extract. */
export async function assertCopyPresent(pool: pg.Pool, boundary: OrdersBoundary): Promise<void> {
  if (boundary.kind !== 'copy') return;
  const { rows } = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [boundary.orders_table]);
  if (!rows[0]?.present) {
    throw new PermanentError(
      `The copied orders of this run (${boundary.orders_table}) were purged after it finished; rerun from the extract steps to compute it again.`,
    );
  }
}
