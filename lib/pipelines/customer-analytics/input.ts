/**
 * The customer_analytics pipeline's input (the seed's `schema`), validated before a task is created.
 * Dates are calendar days in UTC; the window includes both ends, starts no earlier than the earliest data date and
 * ends no later than today — any other date string is an issue naming its field, never an error further down.
 */
import { z } from 'zod';
import { env } from '@/lib/env';
import { daysBetween, todayUtc } from '@/lib/time/zoned-time';

const isoDate = z.iso.date({ message: 'must be a real date in YYYY-MM-DD form' });

/** No source system of this product holds data from before this day. */
export const DATA_FLOOR = '2000-01-01';

/** The earliest day a window may start: DATA_FLOOR, or EARLIEST_DATA_DATE when that is later. */
export function earliestDataDate(): string {
  const configured = env().EARLIEST_DATA_DATE;
  return configured && configured > DATA_FLOOR ? configured : DATA_FLOOR;
}

export const MAX_WINDOW_DAYS = 366;

export { daysBetween, todayUtc };

export const customerAnalyticsInput = z
  .object({
    date_range: z
      .object({ start_date: isoDate.meta({ title: 'Start date' }), end_date: isoDate.meta({ title: 'End date', description: `Not after today; a window of at most ${MAX_WINDOW_DAYS} days.` }) })
      .strict()
      .superRefine((range, ctx) => {
        const earliest = earliestDataDate();
        if (range.start_date < earliest) {
          ctx.addIssue({ code: 'custom', path: ['start_date'], message: `must be on or after ${earliest}, the earliest date with data` });
        }
        if (range.end_date < earliest) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: `must be on or after ${earliest}, the earliest date with data` });
        }
        if (range.start_date > range.end_date) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must be on or after start_date' });
        }
        if (range.end_date > todayUtc()) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be after today (UTC)' });
        }
        if (daysBetween(range.start_date, range.end_date) + 1 > MAX_WINDOW_DAYS) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: `must be at most ${MAX_WINDOW_DAYS - 1} days after start_date (a window of ${MAX_WINDOW_DAYS} days)` });
        }
      })
      .meta({ title: 'Date range', description: 'Calendar days in UTC, both included.' }),
    force_refresh: z
      .boolean()
      .default(false)
      .meta({ title: 'Force refresh', description: 'Without it, a window that a completed run already published is reused instead of computed again.' }),
    notification_channels: z
      .array(z.string().regex(/^#[a-z0-9][a-z0-9_-]{0,79}$/, 'must be a channel name like #data-team'))
      .min(1, 'must name at least one channel')
      .max(20, 'must list at most 20 channels')
      .default(['#data-team'])
      .meta({ title: 'Notification channels', description: 'Slack channels told when the run finishes.' }),
  })
  .strict();

export type CustomerAnalyticsInput = z.infer<typeof customerAnalyticsInput>;

/** Length of the window in days, both ends included. */
export function windowDays(input: Pick<CustomerAnalyticsInput, 'date_range'>): number {
  return daysBetween(input.date_range.start_date, input.date_range.end_date) + 1;
}
