/**
 * The customer-retention matrix: what the retention view shows and a retention run publishes. One row per
 * acquisition month (cohort, the month of each customer's first order); retention[k] is the share of the cohort's
 * customers who ordered in the k-th calendar month after it (retention[0] is 1: everyone ordered in their first
 * month). A cohort has one figure per month up to the matrix's last month, so older cohorts have longer rows.
 *
 * The view owns this shape and the headline sentence; the pipeline computes to them.
 */
import { z } from 'zod';
import { formatMonth } from '@/lib/time/format';

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

const cohortRetention = z.object({
  cohort: z.string().regex(MONTH_PATTERN),
  customers: z.number().int().nonnegative(),
  retention: z.array(z.number().min(0).max(1)).min(1),
});

export const retentionMatrixSchema = z.object({ cohorts: z.array(cohortRetention) });

export type CohortRetention = z.infer<typeof cohortRetention>;
export type RetentionMatrix = z.infer<typeof retentionMatrixSchema>;

/** A share rounded to 4 decimals: 0.2345 is 23.45%, the precision the matrix stores. */
export const roundShare = (share: number) => Math.round(share * 10_000) / 10_000;

/** 0.2345 → "23.5%". */
export const formatShare = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * The matrix in one sentence: the newest cohort whose second month is over (month-1 retention known), and the
 * change against the cohort before it. Null when no cohort has a second month yet.
 */
export function retentionHeadline(matrix: RetentionMatrix): string | null {
  const measured = [...matrix.cohorts]
    .filter((cohort) => cohort.customers > 0 && cohort.retention.length > 1)
    .sort((a, b) => a.cohort.localeCompare(b.cohort));
  const newest = measured.at(-1);
  const newestShare = newest?.retention[1];
  if (!newest || newestShare === undefined) return null;
  const lead = `Customers acquired in ${formatMonth(newest.cohort)} came back in their second month at ${formatShare(newestShare)}`;
  const previous = measured.at(-2);
  const previousShare = previous?.retention[1];
  if (!previous || previousShare === undefined) return `${lead}.`;
  // Points between the two shares as displayed (one decimal each), so the sentence agrees with the table.
  const points = Math.round(newestShare * 1000) / 10 - Math.round(previousShare * 1000) / 10;
  const sameYear = previous.cohort.slice(0, 4) === newest.cohort.slice(0, 4);
  const previousName = sameYear ? formatMonth(previous.cohort).split(' ')[0] : formatMonth(previous.cohort);
  const rounded = Math.round(Math.abs(points) * 10) / 10;
  if (rounded === 0) return `${lead}, the same as ${previousName}'s cohort.`;
  return `${lead}, ${rounded.toFixed(1)} ${rounded === 1 ? 'point' : 'points'} ${points > 0 ? 'above' : 'below'} ${previousName}'s cohort.`;
}
