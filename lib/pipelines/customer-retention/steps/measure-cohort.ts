/**
 * measure_cohort: one cohort's size and, for each calendar month from its own to the range's last, how many of its
 * customers ordered in that month — in one set-based statement. Counts only: the result stays a few hundred bytes
 * whatever the cohort's size.
 */
import type pg from 'pg';
import { monthBounds } from './list-cohorts';

export type CohortCounts = {
  cohort: string;
  customers: number;
  /** active[k]: the cohort's customers with at least one order in month cohort + k; active[0] = customers. */
  active: number[];
};

/**
 * $1 holds the month starts from the cohort's month to the month after the last: the cohort is who first ordered
 * in bucket 1, and width_bucket puts each of their later orders in its month (bucket k + 1 for month k).
 */
const MEASURE_COHORT_SQL = `
  WITH bounds AS (SELECT $1::timestamptz[] AS starts),
  cohort AS (
    SELECT DISTINCT o.customer_id
      FROM shop.orders o, bounds
     WHERE o.created_at >= bounds.starts[1] AND o.created_at < bounds.starts[2]
       AND NOT EXISTS (SELECT 1 FROM shop.orders earlier WHERE earlier.customer_id = o.customer_id AND earlier.created_at < bounds.starts[1])
  ),
  activity AS (
    SELECT width_bucket(o.created_at, bounds.starts) - 1 AS k, count(DISTINCT o.customer_id)::int AS customers
      FROM cohort c
      JOIN shop.orders o ON o.customer_id = c.customer_id
      CROSS JOIN bounds
     WHERE o.created_at >= bounds.starts[1] AND o.created_at < bounds.starts[array_length(bounds.starts, 1)]
     GROUP BY 1
  )
  SELECT (SELECT count(*)::int FROM cohort) AS customers,
         ARRAY(SELECT coalesce(a.customers, 0) FROM generate_series(0, array_length(bounds.starts, 1) - 2) AS s(k)
                 LEFT JOIN activity a ON a.k = s.k ORDER BY s.k) AS active
    FROM bounds`;

export async function measureCohort(ordersPool: pg.Pool, input: { cohort: string; last: string; timeZone: string }): Promise<CohortCounts> {
  const { starts } = monthBounds(input.cohort, input.last, input.timeZone);
  const { rows } = await ordersPool.query<{ customers: number; active: number[] }>(MEASURE_COHORT_SQL, [starts]);
  const row = rows[0];
  return { cohort: input.cohort, customers: row?.customers ?? 0, active: row?.active ?? [] };
}
