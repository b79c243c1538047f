/**
 * "Needs attention today": the part of a run's executive summary the dashboard opens with — recommendations by
 * priority, churn risk, products to reorder and abnormal days — for the snapshot the dashboard shows.
 *
 * The summary is computed once per run by the pipeline and read from that run's result; this module only orders and
 * trims it, never recomputes a figure, so every number on the page is the summary's own and a count that appears in
 * a recommendation and in a card is the same value. The reader is handed in (lib/answers wires the delivered
 * pipeline's), because the dashboard knows no pipeline.
 */

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const SEGMENT_ORDER = ['VIP', 'Regular', 'Occasional', 'New'] as const;
export type SegmentName = (typeof SEGMENT_ORDER)[number];

export interface SummaryRecommendation {
  priority: Priority;
  title: string;
  reason: string;
  evidence: Record<string, number>;
  action_url: string;
}

export interface SummaryAnomaly {
  metric: 'revenue' | 'orders';
  /** YYYY-MM-DD in the delivery time zone. */
  day: string;
  value: number;
  /** The median of the same weekday over the previous 8 weeks. */
  expected: number;
  deviation_percent: number | null;
}

export interface SummaryReorderProduct {
  product_id: number;
  name: string;
  stock_on_hand: number;
  daily_velocity: number;
  days_of_cover: number;
  reorder_quantity: number;
}

/**
 * The fields of the executive summary (its JSON contract, docs/METRICS.md) that the dashboard shows. Declared here
 * rather than imported because the dashboard may not depend on a pipeline; the wiring in lib/answers assigns the
 * pipeline's own type to it, so a change of the contract that breaks the dashboard fails the type check there.
 */
export interface AttentionSource {
  churn_risk: { customers_at_risk: number; lifetime_value_at_risk: number; by_segment: Record<SegmentName, number> };
  reorder_needed_count: number;
  /** Most urgent first. */
  reorder: SummaryReorderProduct[];
  anomalies: SummaryAnomaly[];
  recommendations: SummaryRecommendation[];
}

/** The executive summary of a published run; null when the run has none (published before summaries existed). */
export type ExecutiveSummaryReader = (taskId: string) => Promise<AttentionSource | null>;

/** Products of the reorder list shown on the dashboard; the CSV has them all. */
export const ATTENTION_REORDER_LIMIT = 5;

export interface NeedsAttention {
  /** High first; within a priority, the summary's own order. */
  recommendations: SummaryRecommendation[];
  churn: { customersAtRisk: number; lifetimeValueAtRisk: number; bySegment: { segment: SegmentName; customers: number }[] };
  reorder: { count: number; products: SummaryReorderProduct[] };
  /** Oldest day first, revenue before orders on the same day. */
  anomalies: SummaryAnomaly[];
  /** The days of the revenue anomalies, which the revenue-per-day chart marks. */
  revenueAnomalyDays: string[];
  links: { atRiskCustomersCsv: string; productsToReorderCsv: string };
}

const metricRank = (metric: SummaryAnomaly['metric']) => (metric === 'revenue' ? 0 : 1);

export function needsAttention(summary: AttentionSource | null, taskId: string): NeedsAttention | null {
  if (!summary) return null;
  const rank = (priority: Priority) => PRIORITIES.indexOf(priority);
  const anomalies = [...summary.anomalies].sort((a, b) => a.day.localeCompare(b.day) || metricRank(a.metric) - metricRank(b.metric));
  return {
    // Array.prototype.sort is stable, so the summary's order within a priority survives.
    recommendations: [...summary.recommendations].sort((a, b) => rank(a.priority) - rank(b.priority)),
    churn: {
      customersAtRisk: summary.churn_risk.customers_at_risk,
      lifetimeValueAtRisk: summary.churn_risk.lifetime_value_at_risk,
      bySegment: SEGMENT_ORDER.map((segment) => ({ segment, customers: summary.churn_risk.by_segment[segment] })),
    },
    reorder: { count: summary.reorder_needed_count, products: summary.reorder.slice(0, ATTENTION_REORDER_LIMIT) },
    anomalies,
    revenueAnomalyDays: anomalies.filter((anomaly) => anomaly.metric === 'revenue').map((anomaly) => anomaly.day),
    links: {
      atRiskCustomersCsv: `/analytics/results/${taskId}/at-risk-customers.csv`,
      productsToReorderCsv: `/analytics/results/${taskId}/products-to-reorder.csv`,
    },
  };
}

/**
 * A reader that reads each run's summary once: a published run's result never changes, so the answer for a task
 * id is kept (the most recent `maxEntries` of them) and every later dashboard computation reuses it. A failed read
 * is forgotten, so the next computation tries again.
 */
export function readOncePerRun(read: ExecutiveSummaryReader, maxEntries = 16): ExecutiveSummaryReader {
  const kept = new Map<string, Promise<AttentionSource | null>>();
  return (taskId) => {
    const known = kept.get(taskId);
    if (known) {
      kept.delete(taskId);
      kept.set(taskId, known);
      return known;
    }
    const reading = read(taskId);
    kept.set(taskId, reading);
    reading.catch(() => kept.delete(taskId));
    while (kept.size > maxEntries) {
      const oldest = kept.keys().next();
      if (oldest.done) break;
      kept.delete(oldest.value);
    }
    return reading;
  };
}
