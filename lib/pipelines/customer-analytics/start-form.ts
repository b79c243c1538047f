/**
 * What customer_analytics' start form shows beyond its schema: yesterday's window prefilled (the nightly run's,
 * so "Start run" reruns last night by default) and the date inputs bounded by the same days the schema enforces.
 * The other fields keep the schema's defaults.
 */
import type { StartFormHints } from '@/lib/platform/pipeline-module';
import { addDays } from '@/lib/time/zoned-time';
import { earliestDataDate } from './input';

export function customerAnalyticsStartForm(now: Date): StartFormHints {
  const today = now.toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const dateBounds = { min: earliestDataDate(), max: today };
  return {
    prefill: { date_range: { start_date: yesterday, end_date: yesterday } },
    bounds: { 'date_range.start_date': dateBounds, 'date_range.end_date': dateBounds },
  };
}
