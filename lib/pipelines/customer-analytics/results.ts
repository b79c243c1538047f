/**
 * The seed-style results of one customer_analytics task (GET /analytics/results/{id}, and what GET /api/runs/{id}/results
 * returns for it): its insights, segment counts, links to the CSV exports and the executive summary.
 */
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { databaseOn, type DbHandle } from '@/db/client';
import { getTask } from '@/lib/engine';
import { insights as insightsTable } from '@/db/schema';
import { z } from 'zod';
import { executiveSummarySchema, type ExecutiveSummary } from './executive-summary';

export interface TaskResults {
  task_id: string;
  insights: { kind: string; sentence: string; data: unknown }[];
  segments: { segment: string; customers: number }[];
  links: { customers_csv: string; products_csv: string; at_risk_customers_csv: string; products_to_reorder_csv: string };
  /** generate_insights' executive summary; null before that step completed or for a copied window. */
  executive_summary: ExecutiveSummary | null;
}

const insightsResult = z.object({ executive_summary: executiveSummarySchema.nullable().optional() });

/** The executive summary inside generate_insights' stored result, validated: the result is JSON from the database. */
export function executiveSummaryOf(generateInsightsResult: unknown): ExecutiveSummary | null {
  const parsed = insightsResult.safeParse(generateInsightsResult);
  return parsed.success ? (parsed.data.executive_summary ?? null) : null;
}

export async function readTaskResults(pool: pg.Pool, taskId: string, generateInsightsResult: unknown = null): Promise<TaskResults> {
  const [insights, segments] = await Promise.all([
    databaseOn(pool)
      .select({ kind: insightsTable.kind, sentence: insightsTable.sentence, data: insightsTable.data })
      .from(insightsTable)
      .where(eq(insightsTable.taskId, taskId))
      .orderBy(insightsTable.position),
    // Set-based: every segment, with zero for those without customers.
    pool.query<{ segment: string; customers: number }>(
      `SELECT s.segment, count(m.customer_id)::int AS customers
       FROM unnest(ARRAY['VIP', 'Regular', 'Occasional', 'New']) WITH ORDINALITY AS s(segment, position)
       LEFT JOIN analytics.customer_metrics m ON m.task_id = $1 AND m.customer_segment = s.segment
       GROUP BY s.segment, s.position ORDER BY s.position`,
      [taskId],
    ),
  ]);
  return {
    task_id: taskId,
    insights,
    segments: segments.rows,
    links: {
      customers_csv: `/analytics/results/${taskId}/customers.csv`,
      products_csv: `/analytics/results/${taskId}/products.csv`,
      // The executive summary's action lists (its recommendations link to them too).
      at_risk_customers_csv: `/analytics/results/${taskId}/at-risk-customers.csv`,
      products_to_reorder_csv: `/analytics/results/${taskId}/products-to-reorder.csv`,
    },
    executive_summary: executiveSummaryOf(generateInsightsResult),
  };
}

/** The results of a task the caller has read (the seed's results route): its generate_insights result is in its steps. */
export function readResultsOfTask(pool: pg.Pool, task: { id: string; steps: readonly { name: string; result: unknown }[] }): Promise<TaskResults> {
  return readTaskResults(pool, task.id, task.steps.find((step) => step.name === 'generate_insights')?.result);
}

/** The results of a task read by id alone (the runs API): its generate_insights result comes from the engine. */
export async function readTaskResultsById(db: DbHandle, taskId: string): Promise<TaskResults> {
  const task = await getTask(db, taskId);
  return task ? readResultsOfTask(db.pool, task) : readTaskResults(db.pool, taskId);
}
