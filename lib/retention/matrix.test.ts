/** The retention headline: which cohort it names, the change in points as the table shows it, and its words. */
import { describe, expect, it } from 'vitest';
import { retentionHeadline } from './matrix';

const cohort = (month: string, retention: number[]) => ({ cohort: month, customers: 100, retention });

describe('retentionHeadline', () => {
  it('names the newest cohort with a second month and compares it with the one before', () => {
    const matrix = {
      cohorts: [cohort('2026-08', [1, 0.25, 0.2]), cohort('2026-09', [1, 0.213]), cohort('2026-10', [1, 0.234]), cohort('2026-11', [1])],
    };
    expect(retentionHeadline(matrix)).toBe('Customers acquired in October 2026 came back in their second month at 23.4%, 2.1 points above September\'s cohort.');
  });

  it('says below, the same, and the year when the cohorts straddle one', () => {
    expect(retentionHeadline({ cohorts: [cohort('2025-12', [1, 0.3]), cohort('2026-01', [1, 0.25])] })).toBe(
      'Customers acquired in January 2026 came back in their second month at 25.0%, 5.0 points below December 2025\'s cohort.',
    );
    expect(retentionHeadline({ cohorts: [cohort('2026-01', [1, 0.25004]), cohort('2026-02', [1, 0.2496])] })).toBe(
      'Customers acquired in February 2026 came back in their second month at 25.0%, the same as January\'s cohort.',
    );
    expect(retentionHeadline({ cohorts: [cohort('2026-01', [1, 0.2]), cohort('2026-02', [1, 0.21])] })).toContain('1.0 point above');
  });

  it('has no comparison with one measured cohort, and no sentence with none', () => {
    expect(retentionHeadline({ cohorts: [cohort('2026-09', [1, 0.2]), cohort('2026-10', [1])] })).toBe(
      'Customers acquired in September 2026 came back in their second month at 20.0%.',
    );
    expect(retentionHeadline({ cohorts: [cohort('2026-10', [1])] })).toBeNull();
    expect(retentionHeadline({ cohorts: [] })).toBeNull();
  });
});
