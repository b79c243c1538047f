/**
 * The lifetime-value histogram: customers per value bucket. Bucket edges grow roughly ×2.5 per step because
 * lifetime value is heavy-tailed; equal-width buckets would put nearly everyone in the first bar.
 * Computed when a snapshot is published (update_dashboard) and stored in its summary; the dashboard runs the same
 * query for a snapshot published before summaries carried it.
 */

/** Lower edges of the buckets in dollars; the last bucket is open-ended. */
export const LTV_BUCKET_EDGES = [0, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000] as const;

export interface LtvBucket {
  from: number;
  /** Exclusive upper edge; null for the open-ended last bucket. */
  to: number | null;
  customers: number;
}

/**
 * One row per bucket from the first to the last non-empty one, for task $1. Reads only the
 * (task_id, total_lifetime_value, customer_id) index: an index-only scan.
 */
export const LTV_HISTOGRAM_SQL = `
  WITH edges AS (SELECT ARRAY[${LTV_BUCKET_EDGES.join(', ')}]::numeric[] AS lower_edges),
  counted AS (
    SELECT width_bucket(m.total_lifetime_value, e.lower_edges) AS bucket, count(*)::int AS customers
    FROM analytics.customer_metrics m CROSS JOIN edges e
    WHERE m.task_id = $1
    GROUP BY 1
  ),
  span AS (SELECT min(bucket) AS first, max(bucket) AS last FROM counted WHERE bucket > 0)
  SELECT e.lower_edges[b]::float8 AS "from", e.lower_edges[b + 1]::float8 AS "to", coalesce(c.customers, 0) AS customers
  FROM span CROSS JOIN edges e CROSS JOIN generate_series(span.first, span.last) AS b
  LEFT JOIN counted c ON c.bucket = b
  ORDER BY b`;
