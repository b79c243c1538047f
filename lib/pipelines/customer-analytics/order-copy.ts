/**
 * A run's own copy of its window's orders, for orders that live in a separate database (SOURCE_DATABASE_URL),
 * where the transforms cannot read them in place.
 *
 * Each run gets two tables of its own, `analytics.orders_copy_<task>` and `analytics.order_items_copy_<task>`:
 * - UNLOGGED: the copy can always be made again from the source, so writing it to the WAL (twice the I/O) buys
 *   nothing. After a server crash PostgreSQL empties unlogged tables; the checkpoint (logged) then no longer
 *   matches the copy's row count, and the extract starts over instead of resuming on an empty copy.
 * - no index while loading: one unique index on the order id is built after the last batch (one sort instead of
 *   a b-tree insert per row), then ANALYZE, so the transforms are planned on real statistics.
 * - per run, so dropping a finished run's copy is one DROP instead of a DELETE of millions of rows.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import type { Checkpoint } from './checkpoints';

export interface CopyTables {
  orders: string;
  items: string;
}

export function copyTables(taskId: string): CopyTables {
  const key = taskId.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(key)) throw new Error(`not a task id: ${taskId}`);
  return { orders: `analytics.orders_copy_${key}`, items: `analytics.order_items_copy_${key}` };
}

type Queryable = Pick<pg.ClientBase, 'query'>;

async function createTables(db: Queryable, tables: CopyTables): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${tables.orders}, ${tables.items}`);
  await db.query(
    `CREATE UNLOGGED TABLE ${tables.orders} (order_id int8 NOT NULL, customer_id int8 NOT NULL, total_amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL)`,
  );
  await db.query(`CREATE UNLOGGED TABLE ${tables.items} (order_id int8 NOT NULL, product_id int8 NOT NULL, quantity int4 NOT NULL, price numeric(12,2) NOT NULL)`);
}

/**
 * Where the copy starts: after the saved checkpoint when the copy still holds exactly the rows it promises,
 * otherwise from scratch on fresh tables (first attempt, a crash emptied the unlogged tables, or a purge).
 */
export async function prepareCopy(db: Queryable, tables: CopyTables, saved: Checkpoint | undefined): Promise<Checkpoint> {
  if (saved) {
    const { rows } = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [tables.orders]);
    if (rows[0]?.present) {
      const counted = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tables.orders}`);
      if (counted.rows[0]?.n === saved.rows) return saved;
    }
  }
  await createTables(db, tables);
  return { position: '0', rows: 0, batches: 0 };
}

/** Pipes a stream in COPY's text format into `table`, inside the caller's transaction on `db` (the order copy's batches, the staged pages). */
export async function loadCopyStream(db: pg.ClientBase, table: string, columns: string[], source: Readable): Promise<void> {
  await pipeline(source, db.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

export const ORDER_COLUMNS = ['order_id', 'customer_id', 'total_amount', 'created_at'];
export const ITEM_COLUMNS = ['order_id', 'product_id', 'quantity', 'price'];

/** After the last batch: the index, then statistics. Idempotent, so a retry after a crash here just redoes it. */
export async function finishCopy(db: Queryable, tables: CopyTables): Promise<void> {
  const key = tables.orders.slice('analytics.orders_copy_'.length);
  await db.query(`CREATE UNIQUE INDEX IF NOT EXISTS orders_copy_${key}_id ON ${tables.orders} (order_id)`);
  await db.query(`ANALYZE ${tables.orders}, ${tables.items}`);
}

/** Drops the copies of the given runs (staging retention). */
export async function dropCopies(db: Queryable, taskIds: string[]): Promise<void> {
  for (const taskId of taskIds) {
    const tables = copyTables(taskId);
    await db.query(`DROP TABLE IF EXISTS ${tables.orders}, ${tables.items}`);
  }
}

/** Task ids of every run that has a copy, read from the catalog (the tables are the only record of them). */
export async function listCopies(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>(
    `SELECT substr(c.relname, length('orders_copy_') + 1) AS key FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'analytics' AND c.relkind = 'r' AND c.relname ~ '^orders_copy_[0-9a-f]{32}$'`,
  );
  return rows.map(({ key }) => `${key.slice(0, 8)}-${key.slice(8, 12)}-${key.slice(12, 16)}-${key.slice(16, 20)}-${key.slice(20)}`);
}
