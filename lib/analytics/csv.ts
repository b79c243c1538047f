/**
 * CSV exports of a task's customer and product metrics, and of the two action lists of its executive summary (the
 * customers at churn risk, the products to reorder — the rows the summary's rules wrote, so the CSVs list exactly
 * what the summary counts), streamed in keyset-paginated batches so a million-customer export never sits in memory.
 *
 * Rows are written by csv-stringify (RFC 4180 quoting) with `escape_formulas`: a text cell starting with
 * = + - @ tab or CR gets a leading apostrophe, so a spreadsheet shows a customer named `=HYPERLINK(…)` as text
 * instead of running it. JavaScript numbers are left alone (a negative number stays a number); PostgreSQL
 * numerics arrive as text, but no exported amount is negative.
 */
import { stringify } from 'csv-stringify/sync';
import type pg from 'pg';

const BATCH_SIZE = 5_000;

/** One CSV line per row (CRLF-terminated), cells in `columns` order. */
export function csvLines(rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return stringify(
    rows.map((row) => [...row]),
    {
      record_delimiter: 'windows',
      escape_formulas: true,
      // A lone LF or CR is a line break to most readers, though only CRLF ends a record here: quote it too.
      quoted_match: /[\r\n]/,
      cast: { date: (value) => value.toISOString() },
    },
  );
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
  // customers.csv's columns over the customer's orders dated ≤ E, plus the churn rule's mean interval.
  'at-risk-customers': {
    columns: [
      'customer_id', 'customer_email', 'total_lifetime_value', 'average_order_value', 'total_orders',
      'order_frequency', 'days_since_last_order', 'mean_interval_days', 'customer_segment', 'acquisition_date', 'calculated_at',
    ],
    sql: `SELECT customer_id AS key, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
                 order_frequency, days_since_last_order, mean_interval_days, customer_segment, acquisition_date, calculated_at
          FROM analytics.at_risk_customers WHERE task_id = $1 AND customer_id > $2 ORDER BY customer_id LIMIT $3`,
  },
  'products-to-reorder': {
    columns: [
      'product_id', 'sku', 'name', 'category', 'stock_on_hand', 'units_sold_28_days', 'daily_velocity', 'days_of_cover',
      'reorder_quantity', 'calculated_at',
    ],
    sql: `SELECT product_id AS key, product_id, sku, name, category, stock_on_hand, units_sold_28_days,
                 round(daily_velocity::numeric, 2) AS daily_velocity, round(days_of_cover::numeric, 2) AS days_of_cover,
                 reorder_quantity, calculated_at
          FROM analytics.reorder_products WHERE task_id = $1 AND product_id > $2 ORDER BY product_id LIMIT $3`,
  },
} satisfies Record<string, CsvExport>;

export type CsvKind = keyof typeof EXPORTS;

/** Own keys only: `constructor`, `__proto__` or `toString` must not pass as an export name. */
export function isCsvKind(value: string): value is CsvKind {
  return Object.hasOwn(EXPORTS, value);
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
        controller.enqueue(encoder.encode(csvLines([definition.columns])));
        return;
      }
      const { rows } = await pool.query<Record<string, unknown> & { key: number }>(definition.sql, [taskId, lastKey, BATCH_SIZE]);
      if (rows.length === 0) {
        controller.close();
        return;
      }
      lastKey = rows[rows.length - 1]?.key ?? lastKey;
      controller.enqueue(encoder.encode(csvLines(rows.map((row) => definition.columns.map((column) => row[column])))));
      if (rows.length < BATCH_SIZE) controller.close();
    },
  });
}
