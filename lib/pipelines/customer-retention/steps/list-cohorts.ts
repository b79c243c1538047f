/**
 * list_cohorts: the acquisition months of the range that have at least one customer. A customer's cohort is the
 * calendar month (in the sources' zone) of their first order ever. The month boundaries are instants computed by
 * lib/time, so SQL compares timestamps only and the zone rules live in one place.
 */
import type pg from 'pg';
import { addMonths, monthsBetween, monthStartOf } from '@/lib/time/zoned-time';

/** Each month of [first, last] with the instant it starts, plus the start of the month after `last`. */
export function monthBounds(first: string, last: string, timeZone: string): { months: string[]; starts: Date[] } {
  const months = Array.from({ length: monthsBetween(first, last) + 1 }, (_, index) => addMonths(first, index));
  return { months, starts: [...months, addMonths(last, 1)].map((month) => monthStartOf(month, timeZone)) };
}

/**
 * Customers whose first order falls in the range, bucketed by month: the range's orders, each customer once, kept
 * when no order of theirs is earlier than the range (one probe of orders_customer_created_idx each) — so the cost
 * follows the range's orders, not the whole history.
 */
const LIST_COHORTS_SQL = `
  WITH bounds AS (SELECT $1::timestamptz[] AS starts),
  firsts AS (
    SELECT o.customer_id, min(o.created_at) AS first_at
      FROM shop.orders o, bounds
     WHERE o.created_at >= bounds.starts[1] AND o.created_at < bounds.starts[array_length(bounds.starts, 1)]
       AND NOT EXISTS (SELECT 1 FROM shop.orders earlier WHERE earlier.customer_id = o.customer_id AND earlier.created_at < bounds.starts[1])
     GROUP BY o.customer_id
  )
  SELECT width_bucket(f.first_at, bounds.starts) AS bucket
    FROM firsts f, bounds
   GROUP BY 1 ORDER BY 1`;

export async function listCohorts(ordersPool: pg.Pool, range: { first: string; last: string; timeZone: string }): Promise<string[]> {
  const { months, starts } = monthBounds(range.first, range.last, range.timeZone);
  const { rows } = await ordersPool.query<{ bucket: number }>(LIST_COHORTS_SQL, [starts]);
  return rows.flatMap((row) => {
    const month = months[row.bucket - 1];
    return month === undefined ? [] : [month];
  });
}
