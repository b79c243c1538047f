/**
 * The delivered pipeline's executive summary of one run, for the dashboard's "Needs attention today": read from the
 * run's stored results (the same read as GET /analytics/results/{id}), so the dashboard shows exactly what that
 * endpoint serves. Lives in the composition root because only here may generic code reach a pipeline.
 */
import type { DbHandle } from '@/db/client';
import type { ExecutiveSummaryReader } from '@/lib/dashboard';
import type { ExecutiveSummary } from '@/lib/pipelines/customer-analytics/executive-summary';
import { readTaskResultsById } from '@/lib/pipelines/customer-analytics/results';

export function executiveSummaryReader(db: DbHandle): ExecutiveSummaryReader {
  return async (taskId): Promise<ExecutiveSummary | null> => (await readTaskResultsById(db, taskId)).executive_summary;
}
