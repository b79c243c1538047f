/**
 * The customer_retention pipeline's input: how many acquisition months (cohorts) to measure, ending with which
 * calendar month. Months are calendar months in DELIVERY_TIMEZONE; the last one must be complete, so every figure of
 * the matrix is final and a retried or rerun step computes the same one.
 */
import { z } from 'zod';
import { env } from '@/lib/env';
import { MONTH_PATTERN } from '@/lib/retention/matrix';
import { addMonths, localMonthOf } from '@/lib/time/zoned-time';

export const MAX_MONTHS = 36;
/** No source system of this product holds orders from before this month. */
export const EARLIEST_MONTH = '2000-01';

/** The last calendar month that is over at `now` in the zone. */
export function lastCompleteMonth(now: Date, timeZone: string): string {
  return addMonths(localMonthOf(now, timeZone), -1);
}

/** The zone's last complete month, read when a run's input is validated (the default of end_month). */
const defaultEndMonth = () => lastCompleteMonth(new Date(), env().DELIVERY_TIMEZONE);

export const customerRetentionInput = z
  .object({
    months: z
      .number({ message: 'must be a whole number of months' })
      .int('must be a whole number of months')
      .min(1, 'must be at least 1')
      .max(MAX_MONTHS, `must be at most ${MAX_MONTHS}`)
      .default(12)
      .describe('Cohorts (acquisition months)'),
    end_month: z
      .string({ message: 'must be a month in YYYY-MM form' })
      .regex(MONTH_PATTERN, 'must be a month in YYYY-MM form, e.g. 2026-10')
      .default(defaultEndMonth)
      .describe('Last month (default: the last complete one)'),
  })
  .strict()
  .superRefine((input, ctx) => {
    // A field already refused has its own issue; comparing its value would only add a confusing second one.
    if (!MONTH_PATTERN.test(input.end_month) || !Number.isInteger(input.months)) return;
    const latest = defaultEndMonth();
    if (input.end_month > latest) {
      ctx.addIssue({ code: 'custom', path: ['end_month'], message: `must be a complete month: ${latest} or earlier` });
    }
    if (addMonths(input.end_month, 1 - input.months) < EARLIEST_MONTH) {
      ctx.addIssue({ code: 'custom', path: ['months'], message: `reaches before ${EARLIEST_MONTH}, the earliest month with data` });
    }
  });

export type CustomerRetentionInput = z.infer<typeof customerRetentionInput>;

/** The first cohort month of the range (end_month − months + 1). */
export const firstMonth = (input: CustomerRetentionInput) => addMonths(input.end_month, 1 - input.months);
