/**
 * Batched reader of the orders database (shop.orders with their items) for a created_at window, used by
 * the pipeline's extract step. Keyset pagination on the order id: each batch is one short query, so a
 * failed batch can be retried from the last id seen (`afterId`) without holding a transaction open.
 *
 * Fault injection is real: before a batch, with the chaos failure rate's probability, a second
 * connection asks the server to terminate the reader's backend (pg_terminate_backend). The batch query
 * then fails with the server's own error (57P01 "terminating connection due to administrator command")
 * exactly as it would when a database fails over or an operator kills the session.
 */
import pg from 'pg';
import { SourceError } from './source-error';

export interface OrderItemRecord {
  product_id: number;
  quantity: number;
  /** numeric(12,2) as text: no precision lost on the way. */
  price: string;
}

export interface OrderRecord {
  id: number;
  customer_id: number;
  total_amount: string;
  status: string;
  created_at: string;
  items: OrderItemRecord[];
}

export interface OrderBatch {
  orders: OrderRecord[];
  /** Resume point: pass as `afterId` to continue after this batch. */
  lastId: number;
}

export interface ReadOrdersOptions {
  /** Pool on the orders database. It must allow two connections: the reader's and the fault injector's. */
  pool: pg.Pool;
  /** Inclusive start and exclusive end of the created_at window. */
  from: Date;
  to: Date;
  batchSize?: number;
  afterId?: number;
  /** Read before every batch (chaos settings change at runtime); default: never fail. */
  failureRate?: () => Promise<number>;
  random?: () => number;
  signal?: AbortSignal;
}

export const DEFAULT_ORDERS_BATCH_SIZE = 5_000;

const BATCH_SQL = `
  SELECT o.id::int8 AS id, o.customer_id::int8 AS customer_id, o.total_amount::text AS total_amount, o.status, o.created_at,
         COALESCE((SELECT json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity, 'price', i.price::text)
                                   ORDER BY i.product_id)
                   FROM shop.order_items i WHERE i.order_id = o.id), '[]'::json) AS items
  FROM shop.orders o
  WHERE o.created_at >= $1 AND o.created_at < $2 AND o.id > $3
  ORDER BY o.id
  LIMIT $4`;

interface BatchRow {
  id: number | string;
  customer_id: number | string;
  total_amount: string;
  status: string;
  created_at: Date;
  items: OrderItemRecord[];
}

/**
 * SQLSTATE classes worth a retry: connection exceptions (08), operator intervention such as a
 * terminated backend or a cancelled statement (57), insufficient resources (53), and transaction
 * rollbacks such as serialization failures and deadlocks (40).
 */
const RETRYABLE_SQLSTATE_CLASSES = ['08', '57', '53', '40'];

/** An error the server sent (it carries a SQLSTATE), as opposed to a driver or socket error. */
function isDatabaseError(error: unknown): error is pg.DatabaseError & { code: string } {
  return error instanceof pg.DatabaseError && typeof error.code === 'string';
}

/**
 * The orders database's injected fault: with probability `failureRate`, a second connection from `pool` has the
 * server terminate backend `pid` — the victim's next query fails with PostgreSQL's own 57P01, as in a failover
 * or an administrator's kill. Returns whether it struck.
 */
export async function maybeTerminateBackend(pool: pg.Pool, pid: number, failureRate: number, random: () => number = Math.random): Promise<boolean> {
  if (failureRate <= 0 || random() >= failureRate) return false;
  // The timeout argument makes the call wait until the backend has really exited.
  await pool.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
  return true;
}

export function toOrdersDbError(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  if (isDatabaseError(error)) {
    return new SourceError(`orders_db: ${error.message} (SQLSTATE ${error.code})`, {
      source: 'orders_db',
      kind: 'database',
      retryable: RETRYABLE_SQLSTATE_CLASSES.includes(error.code.slice(0, 2)),
      cause: error,
    });
  }
  // No SQLSTATE: the connection itself broke (reset, refused, "Connection terminated unexpectedly").
  const message = error instanceof Error ? error.message : String(error);
  return new SourceError(`orders_db: ${message}`, { source: 'orders_db', kind: 'network', retryable: true, cause: error });
}

export async function* readOrderBatches(options: ReadOrdersOptions): AsyncGenerator<OrderBatch> {
  const batchSize = options.batchSize ?? DEFAULT_ORDERS_BATCH_SIZE;
  const random = options.random ?? Math.random;
  let afterId = options.afterId ?? 0;

  let client: pg.PoolClient;
  try {
    client = await options.pool.connect();
  } catch (error) {
    throw toOrdersDbError(error);
  }
  // A server-side termination reaches an idle checked-out client as an 'error' event; without a listener
  // that would be an uncaught exception. Keep it: it is the server's own message for this connection.
  let connectionError: Error | undefined;
  const onError = (error: Error) => {
    connectionError ??= error;
  };
  client.on('error', onError);
  let broken: Error | undefined;
  try {
    const pidResult = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = pidResult.rows[0]?.pid;
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (pid !== undefined && options.failureRate) await maybeTerminateBackend(options.pool, pid, await options.failureRate(), random);
      let result: pg.QueryResult<BatchRow>;
      try {
        result = await client.query<BatchRow>(BATCH_SQL, [options.from, options.to, afterId, batchSize]);
      } catch (error) {
        // If the termination was processed before the query was sent, node-pg reports "not queryable";
        // the server's FATAL message, received as the 'error' event, is the real cause.
        broken = isDatabaseError(error) ? error : (connectionError ?? (error instanceof Error ? error : new Error(String(error))));
        throw toOrdersDbError(broken);
      }
      if (result.rows.length === 0) return;
      const orders = result.rows.map((row) => ({
        id: Number(row.id),
        customer_id: Number(row.customer_id),
        total_amount: row.total_amount,
        status: row.status,
        created_at: row.created_at.toISOString(),
        items: row.items,
      }));
      afterId = orders[orders.length - 1]?.id ?? afterId;
      yield { orders, lastId: afterId };
      if (result.rows.length < batchSize) return;
    }
  } catch (error) {
    if (options.signal?.aborted && error === options.signal.reason) throw error;
    broken ??= connectionError;
    throw toOrdersDbError(error);
  } finally {
    client.off('error', onError);
    // A broken connection must not go back to the pool.
    client.release(broken ?? connectionError);
  }
}
