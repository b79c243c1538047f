/**
 * customer_analytics is the daily delivery: what the delivery, the dashboard, backfills and the status page need
 * to know of it — how a run's input carries its data window, how to build one for a window, and the daily
 * schedule the seed describes (01:00, yesterday's window).
 */
import { z } from 'zod';
import type { DeliveredPipeline } from '@/lib/delivery/definition';
import { CUSTOMER_ANALYTICS } from './identity';

const inputWindow = z.object({ date_range: z.object({ start_date: z.iso.date(), end_date: z.iso.date() }) });

export const customerAnalyticsDelivery: DeliveredPipeline = {
  namespace: CUSTOMER_ANALYTICS.namespace,
  name: CUSTOMER_ANALYTICS.name,
  windowOf(input) {
    const parsed = inputWindow.safeParse(input);
    return parsed.success ? { start: parsed.data.date_range.start_date, end: parsed.data.date_range.end_date } : null;
  },
  inputFor(window, { recompute }) {
    return { date_range: { start_date: window.start, end_date: window.end }, force_refresh: recompute };
  },
  schedule: {
    name: 'customer_analytics_daily',
    cronExpression: '0 1 * * *',
    inputTemplate: { date_range: { start_date: '{{yesterday}}', end_date: '{{yesterday}}' } },
  },
};
