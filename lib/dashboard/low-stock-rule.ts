/**
 * How the dashboard words the low-stock rule, in a module of its own so the browser's tables can say it without the
 * read model's database code. The rule itself is the reorder rule (lib/pipelines/customer-analytics/executive-summary.ts,
 * docs/METRICS.md); its threshold (REORDER_COVER_DAYS) comes with each run's list, as the run applied it.
 */
const count = new Intl.NumberFormat('en-US');

/** `12 products have less than 14 days of cover at the last 28 days' sales rate` (no final stop: a suffix may follow). */
export function lowStockDescription(total: number, coverDays: number | null): string {
  if (coverDays === null) return 'Stock cover was not computed for this run';
  const products = total === 1 ? '1 product has' : `${count.format(total)} products have`;
  return `${products} less than ${count.format(coverDays)} days of cover at the last 28 days\u2019 sales rate`;
}

export function lowStockEmpty(coverDays: number | null): string {
  if (coverDays === null) return 'Stock cover was not computed for this run.';
  return `Every product that sold in the last 28 days has at least ${count.format(coverDays)} days of stock.`;
}
