/** How customer_analytics' volume is measured: its extract steps' record counts, compared across equally long windows. */
import type { VolumeMeasure } from '@/lib/monitoring/volume-guard';
import { customerAnalyticsInput, windowDays } from './input';

export const customerAnalyticsVolume: VolumeMeasure = {
  stepNamePrefix: 'extract_',
  windowSpanOf(context) {
    const parsed = customerAnalyticsInput.safeParse(context);
    return parsed.success ? windowDays(parsed.data) : null;
  },
};
