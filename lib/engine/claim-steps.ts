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
  /** Stored results of the step's ancestors, by step name (a mapped step's fan-in: of its children too). */
  results: Record<string, JsonValue>;
  /** The steps it may read (pinned at launch): reading any other is a NotAnAncestorError. */
  readable: string[];
  /** The timeout the run pinned; null for none. */
  timeoutMs: number | null;
  /** The definition the run was launched on (see PipelineDefinition.definitionHash); '' for older runs. */
  definitionHash: string;
  /** A mapped step: the ancestor it maps over, and how many children it expanded to (null: not expanded). */
  mapsOver: string | null;
  mapItems: number | null;
  /** A map child: its mapped step, its position and its item. */
  mapParent: string | null;
  mapIndex: number | null;
  mapItem: JsonValue;
}

/** The columns of a claimed step, as nightshift_claim_steps and nightshift_complete_and_claim return them. */
export const CLAIMED_STEP_COLUMNS = `attempt_id AS "attemptId", attempt_number AS "attemptNumber", budget_attempts AS "budgetAttempts",
  step_id AS "stepId", step_name AS "stepName", task_id AS "taskId", namespace, pipeline_name AS "pipelineName", version,
  context, results, readable, timeout_ms AS "timeoutMs", definition_hash AS "definitionHash", maps_over AS "mapsOver",
  map_items AS "mapItems", map_parent AS "mapParent", map_index AS "mapIndex", map_item AS "mapItem"`;

/** The `pipeline` column of a step: which worker registries may claim it. */
export const pipelineKey = (pipeline: PipelineKey) => `${pipeline.namespace}/${pipeline.name}@${pipeline.version}`;

/** See nightshift_claim_steps in drizzle/0009_engine_functions.sql for why the claim is correct under concurrency (0026 has today's body). */
export async function claimSteps(
  pool: pg.Pool,
  options: { workerId: string; limit: number; leaseMs: number; pipelines: readonly PipelineKey[] },
): Promise<ClaimedStep[]> {
  if (options.limit <= 0 || options.pipelines.length === 0) return [];
  const claimed = await pool.query<ClaimedStep>(
    `SELECT ${CLAIMED_STEP_COLUMNS} FROM nightshift_claim_steps($1, $2, $3, $4)`,
    [options.workerId, options.pipelines.map(pipelineKey), options.limit, options.leaseMs],
  );
  return claimed.rows;
}
