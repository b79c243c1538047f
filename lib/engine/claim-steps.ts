/** claimSteps: hands a worker up to `limit` ready steps, each with a fresh attempt under a lease, in one call. */
import type pg from 'pg';
import type { JsonValue } from './types';

export interface PipelineKey {
  namespace: string;
  name: string;
  version: string;
}

export interface ClaimedStep {
  attemptId: number;
  attemptNumber: number;
  /** Attempts counted against the retry budget so far, this one included: the back-off of its failure grows with it. */
  budgetAttempts: number;
  stepId: string;
  stepName: string;
  taskId: string;
  namespace: string;
  pipelineName: string;
  version: string;
  context: JsonValue;
  /** Results of the step's dependencies, by step name. */
  results: Record<string, JsonValue>;
}

/** The `pipeline` column of a step: which worker registries may claim it. */
export const pipelineKey = (pipeline: PipelineKey) => `${pipeline.namespace}/${pipeline.name}@${pipeline.version}`;

/** See nightshift_claim_steps in drizzle/0009_engine_functions.sql for why the claim is correct under concurrency. */
export async function claimSteps(
  pool: pg.Pool,
  options: { workerId: string; limit: number; leaseMs: number; pipelines: readonly PipelineKey[] },
): Promise<ClaimedStep[]> {
  if (options.limit <= 0 || options.pipelines.length === 0) return [];
  const claimed = await pool.query<ClaimedStep>(
    `SELECT attempt_id AS "attemptId", attempt_number AS "attemptNumber", budget_attempts AS "budgetAttempts",
            step_id AS "stepId", step_name AS "stepName", task_id AS "taskId", namespace,
            pipeline_name AS "pipelineName", version, context, results
       FROM nightshift_claim_steps($1, $2, $3, $4)`,
    [options.workerId, options.pipelines.map(pipelineKey), options.limit, options.leaseMs],
  );
  return claimed.rows;
}
