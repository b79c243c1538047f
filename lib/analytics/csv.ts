/**
 * CSV exports of a task's customer and product metrics, streamed in keyset-paginated batches so a
 * million-customer export never sits in memory.
 */
import type pg from 'pg';

const BATCH_SIZE = 5_000;

/** RFC 4180: quote when needed, double inner quotes. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

interface CsvExport {
  columns: string[];
  /** Selects `columns` plus the keyset column `key`, for rows with key > $2 of task $1, ordered by key. */
  sql: string;
}

const EXPORTS = {
  customers: {
    columns: [
      'customer_id', 'customer_email', 'total_lifetime_value', 'average_order_value', 'total_orders',
      'order_frequency', 'days_since_last_order', 'customer_segment', 'acquisition_date', 'calculated_at',
    ],
    sql: `SELECT customer_id AS key, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
                 order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at
          FROM analytics.customer_metrics WHERE task_id = $1 AND customer_id > $2 ORDER BY customer_id LIMIT $3`,
  },
  products: {
    columns: [
      'product_id', 'sku', 'name', 'category', 'units_sold', 'revenue', 'orders_count', 'unique_customers',
      'average_selling_price', 'stock_on_hand', 'days_of_cover', 'calculated_at',
    ],
    sql: `SELECT product_id AS key, product_id, sku, name, category, units_sold, revenue, orders_count, unique_customers,
                 average_selling_price, stock_on_hand, days_of_cover, calculated_at
          FROM analytics.product_metrics WHERE task_id = $1 AND product_id > $2 ORDER BY product_id LIMIT $3`,
  },
} satisfies Record<string, CsvExport>;

export type CsvKind = keyof typeof EXPORTS;

export function isCsvKind(value: string): value is CsvKind {
  return value in EXPORTS;
}

export function streamMetricsCsv(pool: pg.Pool, taskId: string, kind: CsvKind): ReadableStream<Uint8Array> {
  const definition: CsvExport = EXPORTS[kind];
  const encoder = new TextEncoder();
  let lastKey = -1;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${definition.columns.join(',')}\r\n`));
        return;
      }
      const { rows } = await pool.query<Record<string, unknown> & { key: number }>(definition.sql, [taskId, lastKey, BATCH_SIZE]);
      if (rows.length === 0) {
        controller.close();
        return;
      }
      lastKey = rows[rows.length - 1]?.key ?? lastKey;
      const lines = rows.map((row) => definition.columns.map((column) => csvCell(row[column])).join(','));
      controller.enqueue(encoder.encode(`${lines.join('\r\n')}\r\n`));
      if (rows.length < BATCH_SIZE) controller.close();
    },
  });
}
