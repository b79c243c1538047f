/**
 * The customer_analytics pipeline's input (the seed's `schema`), validated before a task is created.
 * Dates are calendar days in UTC; the window includes both ends.
 */
import { z } from 'zod';

const isoDate = z.iso.date({ message: 'must be a date in YYYY-MM-DD form' });

export const MAX_WINDOW_DAYS = 366;

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Whole days from `start` to `end` (both YYYY-MM-DD), end exclusive. */
export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
}

export const customerAnalyticsInput = z
  .object({
    date_range: z
      .object({ start_date: isoDate, end_date: isoDate })
      .strict()
      .superRefine((range, ctx) => {
        if (range.start_date > range.end_date) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must be on or after start_date' });
        }
        if (range.end_date > todayUtc()) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be after today (UTC)' });
        }
        if (daysBetween(range.start_date, range.end_date) + 1 > MAX_WINDOW_DAYS) {
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: `must be at most ${MAX_WINDOW_DAYS - 1} days after start_date (a window of ${MAX_WINDOW_DAYS} days)` });
        }
      }),
    force_refresh: z.boolean().default(false),
    notification_channels: z
      .array(z.string().regex(/^#[a-z0-9][a-z0-9_-]{0,79}$/, 'must be a channel name like #data-team'))
      .min(1, 'must name at least one channel')
      .max(20, 'must list at most 20 channels')
      .default(['#data-team']),
  })
  .strict();

export type CustomerAnalyticsInput = z.infer<typeof customerAnalyticsInput>;

/** Length of the window in days, both ends included. */
export function windowDays(input: Pick<CustomerAnalyticsInput, 'date_range'>): number {
  return daysBetween(input.date_range.start_date, input.date_range.end_date) + 1;
}
