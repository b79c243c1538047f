/** build_retention_matrix: the cohorts' counts as shares of each cohort's size, oldest cohort first. */
import { roundShare, type RetentionMatrix } from '@/lib/retention/matrix';
import type { CohortCounts } from './measure-cohort';

export function buildRetentionMatrix(counts: readonly CohortCounts[]): RetentionMatrix {
  return {
    cohorts: [...counts]
      .filter((cohort) => cohort.customers > 0)
      .sort((a, b) => a.cohort.localeCompare(b.cohort))
      .map((cohort) => ({
        cohort: cohort.cohort,
        customers: cohort.customers,
        retention: cohort.active.map((active) => roundShare(active / cohort.customers)),
      })),
  };
}
