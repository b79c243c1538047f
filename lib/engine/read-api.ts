/**
 * The engine's read API: every fact that modules outside lib/engine need about tasks, steps, attempts,
 * operations and workers. Nothing outside lib/engine queries the engine's tables itself (a test enforces it),
 * so the engine can change how it stores state by changing this file and nothing else.
 *
 * Functions are named after what their callers need, take the database handle explicitly (a pool, or a client
 * inside the caller's transaction) and return typed rows. They only read.
 */
import type pg from 'pg';
import type { AttemptOutcome, StepStatus, TaskStatus } from '@/db/schema';
import { isTaskId } from './queries';
import type { JsonValue } from './types';

/** A pool, or a client when the caller reads inside its own transaction. */
export type EngineReader = pg.Pool | pg.ClientBase;

/** Which pipeline: tasks are grouped by namespace and name across versions. */
export interface PipelineRef {
  namespace: string;
  name: string;
}

export interface TaskFacts {
  id: string;
  namespace: string;
  name: string;
  version: string;
  status: TaskStatus;
  /** The validated launch input. */
  context: JsonValue;
  initiator: string;
  reason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The last change of the task row; for a finished task, about when it finished or was last operated on. */
  updatedAt: Date;
}

const TASK_COLUMNS = `t.id, t.namespace, t.name, t.version, t.status, t.context, t.initiator, t.reason,
  t.created_at AS "createdAt", t.started_at AS "startedAt", t.completed_at AS "completedAt", t.updated_at AS "updatedAt"`;

/** One task's facts; null for an unknown id. */
export async function readTaskFacts(db: EngineReader, taskId: string): Promise<TaskFacts | null> {
  return (await readTasksFacts(db, [taskId]))[0] ?? null;
}

/** The facts of the given tasks (unknown ids are left out), in no particular order. */
export async function readTasksFacts(db: EngineReader, taskIds: readonly string[]): Promise<TaskFacts[]> {
  const ids = taskIds.filter((id) => isTaskId(id));
  if (ids.length === 0) return [];
  const { rows } = await db.query<TaskFacts>(`SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.id = ANY ($1::uuid[])`, [ids]);
  return rows;
}

/**
 * The pipeline's newest task (by creation) in one of `statuses`; `contextContains` narrows to tasks whose launch
 * input contains that JSON (PostgreSQL's jsonb `@>`), e.g. one date window.
 */
export async function findLatestTask<S extends TaskStatus>(
  db: EngineReader,
  pipeline: PipelineRef,
  filter: { statuses: readonly S[]; contextContains?: JsonValue },
): Promise<(TaskFacts & { status: S }) | null> {
  const { rows } = await db.query<TaskFacts & { status: S }>(
    `SELECT ${TASK_COLUMNS} FROM tasks t
      WHERE t.namespace = $1 AND t.name = $2 AND t.status = ANY ($3::task_status[])
        AND ($4::jsonb IS NULL OR t.context @> $4::jsonb)
      ORDER BY t.created_at DESC, t.id DESC LIMIT 1`,
    [pipeline.namespace, pipeline.name, [...filter.statuses], filter.contextContains === undefined ? null : JSON.stringify(filter.contextContains)],
  );
  return rows[0] ?? null;
}

export interface StepState {
  name: string;
  /** The step definition's description: what it does, in words an operator reads. */
  description: string | null;
  status: StepStatus;
  dependsOn: string[];
  /** The step definition's metadata (e.g. a pipeline's alert severity). */
  metadata: JsonValue;
  attemptCount: number;
  startedAt: Date | null;
  completedAt: Date | null;
}

const STEP_COLUMNS = `s.name, s.description, s.status, s.depends_on AS "dependsOn", s.metadata, s.attempt_count AS "attemptCount",
  s.started_at AS "startedAt", s.completed_at AS "completedAt"`;

/** The task's steps in declaration order (empty for an unknown task). */
export async function readTaskSteps(db: EngineReader, taskId: string): Promise<StepState[]> {
  if (!isTaskId(taskId)) return [];
  const { rows } = await db.query<StepState>(`SELECT ${STEP_COLUMNS} FROM steps s WHERE s.task_id = $1 ORDER BY s.position`, [taskId]);
  return rows;
}

/** One step of a task; null when the task has no step of that name. */
export async function readStep(db: EngineReader, taskId: string, stepName: string): Promise<StepState | null> {
  if (!isTaskId(taskId)) return null;
  const { rows } = await db.query<StepState>(`SELECT ${STEP_COLUMNS} FROM steps s WHERE s.task_id = $1 AND s.name = $2`, [taskId, stepName]);
  return rows[0] ?? null;
}

export interface StepResult {
  taskId: string;
  stepName: string;
  result: JsonValue;
}

/** Results of the task's completed steps whose name starts with `stepNamePrefix`. */
export async function readCompletedStepResults(db: EngineReader, taskId: string, stepNamePrefix: string): Promise<StepResult[]> {
  if (!isTaskId(taskId)) return [];
  const { rows } = await db.query<StepResult>(
    `SELECT s.task_id AS "taskId", s.name AS "stepName", s.result FROM steps s
      WHERE s.task_id = $1 AND s.status = 'completed' AND starts_with(s.name, $2)
      ORDER BY s.position`,
    [taskId, stepNamePrefix],
  );
  return rows;
}

export interface RecentStepResult extends StepResult {
  taskCreatedAt: Date;
  taskContext: JsonValue;
}

/**
 * Results of completed steps named `stepNamePrefix…` in the pipeline's `taskLimit` most recent completed tasks
 * created before `createdBefore` (newest first): the history a caller compares a new run's results with.
 */
export async function readRecentStepResults(
  db: EngineReader,
  pipeline: PipelineRef,
  options: { stepNamePrefix: string; createdBefore: Date; excludeTaskId?: string; taskLimit: number },
): Promise<RecentStepResult[]> {
  const { rows } = await db.query<RecentStepResult>(
    `WITH recent AS (
       SELECT id, created_at, context FROM tasks
        WHERE namespace = $1 AND name = $2 AND status = 'completed' AND created_at < $3 AND id IS DISTINCT FROM $4::uuid
        ORDER BY created_at DESC LIMIT $5)
     SELECT s.task_id AS "taskId", s.name AS "stepName", s.result, r.created_at AS "taskCreatedAt", r.context AS "taskContext"
       FROM recent r JOIN steps s ON s.task_id = r.id AND s.status = 'completed' AND starts_with(s.name, $6)
      ORDER BY r.created_at DESC, s.position`,
    [pipeline.namespace, pipeline.name, options.createdBefore, options.excludeTaskId ?? null, options.taskLimit, options.stepNamePrefix],
  );
  return rows;
}

/**
 * For each step whose name starts with `stepNamePrefix`, the numeric `field` of its result in its most recent
 * completed run (any task): e.g. how many records each extract step fetched last time.
 */
export async function readLatestStepResultNumbers(
  db: EngineReader,
  options: { stepNamePrefix: string; field: string },
): Promise<{ stepName: string; value: number }[]> {
  const { rows } = await db.query<{ stepName: string; value: number }>(
    `SELECT DISTINCT ON (name) name AS "stepName", (result ->> $2)::float8 AS value
       FROM steps
      WHERE starts_with(name, $1) AND status = 'completed' AND jsonb_typeof(result -> $2) = 'number'
      ORDER BY name, completed_at DESC`,
    [options.stepNamePrefix, options.field],
  );
  return rows;
}

/**
 * Median duration (ms) of each step over the pipeline's `runs` most recent completed tasks other than
 * `excludeTaskId`, from the step's first attempt's start to its completion (so typical retries and their
 * backoff are included); `runs` is how many tasks the medians come from.
 */
export async function readStepDurationMedians(
  db: EngineReader,
  pipeline: PipelineRef,
  options: { excludeTaskId: string | null; runs: number },
): Promise<{ medians: Map<string, number>; runs: number }> {
  const { rows } = await db.query<{ name: string | null; median: number | null; runs: number }>(
    `WITH recent AS (
       SELECT id FROM tasks
        WHERE namespace = $1 AND name = $2 AND status = 'completed' AND id IS DISTINCT FROM $3::uuid
        ORDER BY completed_at DESC NULLS LAST LIMIT $4)
     SELECT s.name,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.completed_at - s.started_at) * 1000) AS median,
            (SELECT count(*)::int FROM recent) AS runs
       FROM recent r
       LEFT JOIN steps s ON s.task_id = r.id AND s.status = 'completed' AND s.started_at IS NOT NULL AND s.completed_at IS NOT NULL
      GROUP BY s.name`,
    [pipeline.namespace, pipeline.name, options.excludeTaskId, options.runs],
  );
  const medians = new Map<string, number>();
  for (const row of rows) if (row.name !== null && row.median !== null) medians.set(row.name, Number(row.median));
  return { medians, runs: rows[0]?.runs ?? 0 };
}

/**
 * Each step's duration (ms, first attempt's start to completion) in each of the pipeline's `runs` most recent
 * completed tasks other than `excludeTaskId`, by task: what the deadline forecast replays, one history at a time.
 */
export async function readRecentStepDurations(
  db: EngineReader,
  pipeline: PipelineRef,
  options: { excludeTaskId: string | null; runs: number },
): Promise<Map<string, Map<string, number>>> {
  const { rows } = await db.query<{ taskId: string; name: string; ms: number }>(
    `WITH recent AS (
       SELECT id FROM tasks
        WHERE namespace = $1 AND name = $2 AND status = 'completed' AND id IS DISTINCT FROM $3::uuid
        ORDER BY completed_at DESC NULLS LAST LIMIT $4)
     SELECT s.task_id AS "taskId", s.name, (extract(epoch FROM s.completed_at - s.started_at) * 1000)::float8 AS ms
       FROM recent r
       JOIN steps s ON s.task_id = r.id AND s.status = 'completed' AND s.started_at IS NOT NULL AND s.completed_at IS NOT NULL`,
    [pipeline.namespace, pipeline.name, options.excludeTaskId, options.runs],
  );
  const byTask = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const steps = byTask.get(row.taskId) ?? new Map<string, number>();
    steps.set(row.name, row.ms);
    byTask.set(row.taskId, steps);
  }
  return byTask;
}

export interface RunFacts extends TaskFacts {
  stepsTotal: number;
  /** Steps completed or resolved manually. */
  stepsDone: number;
  /** A step failed and waits for its next automatic attempt. */
  retrying: boolean;
  /** Steps an operator marked as resolved by hand instead of running them. */
  resolvedManually: string[];
  /** An operator operation (retry, rerun, resolve, cancel) was recorded on the task. */
  operatorActed: boolean;
}

const RUN_FACTS_SQL = `
  SELECT ${TASK_COLUMNS}, s."stepsTotal", s."stepsDone", s.retrying, s."resolvedManually",
         (cardinality(s."resolvedManually") > 0 OR EXISTS (SELECT 1 FROM task_operations o WHERE o.task_id = t.id)) AS "operatorActed"
    FROM tasks t
   CROSS JOIN LATERAL (
     SELECT count(*)::int AS "stepsTotal",
            count(*) FILTER (WHERE status IN ('completed', 'resolved_manually'))::int AS "stepsDone",
            coalesce(bool_or(status = 'retrying'), false) AS retrying,
            coalesce(array_agg(name ORDER BY position) FILTER (WHERE status = 'resolved_manually'), '{}') AS "resolvedManually"
       FROM steps WHERE steps.task_id = t.id) s`;

/** The pipeline's tasks created at or after `createdSince`, oldest first, with their step progress. */
export async function listPipelineRuns(db: EngineReader, pipeline: PipelineRef, options: { createdSince: Date }): Promise<RunFacts[]> {
  const { rows } = await db.query<RunFacts>(
    `${RUN_FACTS_SQL} WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3 ORDER BY t.created_at, t.id`,
    [pipeline.namespace, pipeline.name, options.createdSince],
  );
  return rows;
}

/** The given tasks' facts with step progress, as listPipelineRuns has them (unknown ids are left out). */
export async function readRunsFacts(db: EngineReader, taskIds: readonly string[]): Promise<RunFacts[]> {
  const ids = taskIds.filter((id) => isTaskId(id));
  if (ids.length === 0) return [];
  const { rows } = await db.query<RunFacts>(`${RUN_FACTS_SQL} WHERE t.id = ANY ($1::uuid[]) ORDER BY t.created_at, t.id`, [ids]);
  return rows;
}

export interface FinishedAttempt<O extends AttemptOutcome = AttemptOutcome> {
  taskId: string;
  stepName: string;
  attemptNumber: number;
  outcome: O;
  startedAt: Date;
  finishedAt: Date;
}

/** Finished attempts with one of `outcomes` of the pipeline's tasks created at or after `createdSince`. */
export async function listFinishedAttempts<O extends AttemptOutcome>(
  db: EngineReader,
  pipeline: PipelineRef,
  options: { createdSince: Date; outcomes: readonly O[] },
): Promise<FinishedAttempt<O>[]> {
  const { rows } = await db.query<FinishedAttempt<O>>(
    `SELECT a.task_id AS "taskId", a.step_name AS "stepName", a.attempt_number AS "attemptNumber", a.outcome,
            a.started_at AS "startedAt", a.finished_at AS "finishedAt"
       FROM tasks t JOIN step_attempts a ON a.task_id = t.id
      WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3
        AND a.outcome = ANY ($4::attempt_outcome[]) AND a.finished_at IS NOT NULL`,
    [pipeline.namespace, pipeline.name, options.createdSince, [...options.outcomes]],
  );
  return rows;
}

export interface OperationFacts {
  taskId: string;
  operation: string;
  stepName: string | null;
  affectedSteps: string[];
  actor: string;
  reason: string | null;
  createdAt: Date;
}

/** Operator operations on the pipeline's tasks created at or after `createdSince`, in the order they happened. */
export async function listPipelineOperations(db: EngineReader, pipeline: PipelineRef, options: { createdSince: Date }): Promise<OperationFacts[]> {
  const { rows } = await db.query<OperationFacts>(
    `SELECT o.task_id AS "taskId", o.operation, o.step_name AS "stepName", o.affected_steps AS "affectedSteps", o.actor, o.reason,
            o.created_at AS "createdAt"
       FROM tasks t JOIN task_operations o ON o.task_id = t.id
      WHERE t.namespace = $1 AND t.name = $2 AND t.created_at >= $3
      ORDER BY o.id`,
    [pipeline.namespace, pipeline.name, options.createdSince],
  );
  return rows;
}

export interface TaskStatusCount {
  namespace: string;
  name: string;
  status: TaskStatus;
  count: number;
}

export async function countTasksByStatus(db: EngineReader): Promise<TaskStatusCount[]> {
  const { rows } = await db.query<TaskStatusCount>(`SELECT namespace, name, status, count(*)::int AS count FROM tasks GROUP BY 1, 2, 3`);
  return rows;
}

/**
 * Finished attempts of every task by pipeline (`namespace/name`), step and outcome; a mapped step's children count
 * under the mapped step, so a map of a thousand items is one series, not a thousand.
 */
export async function countFinishedAttempts(
  db: EngineReader,
): Promise<{ pipeline: string; stepName: string; outcome: AttemptOutcome; count: number }[]> {
  const { rows } = await db.query<{ pipeline: string; stepName: string; outcome: AttemptOutcome; count: number }>(
    `SELECT split_part(s.pipeline, '@', 1) AS pipeline, coalesce(s.map_parent, s.name) AS "stepName", a.outcome, count(*)::int AS count
       FROM step_attempts a JOIN steps s ON s.id = a.step_id
      WHERE a.outcome IS NOT NULL GROUP BY 1, 2, 3`,
  );
  return rows;
}

export interface ReadyQueue {
  /** Steps that a worker could claim right now. */
  depth: number;
  /** How long the longest-waiting of them has been claimable; 0 when none is. */
  oldestReadyAgeSeconds: number;
}

/**
 * The ready queue: steps a worker may claim now — the claim's own condition (nightshift_claim_steps): pending or
 * retrying, no dependency left to wait for (waiting_for = 0, materialized by completion), any backoff over. It
 * reads the ready index, so it costs the same however much history there is. A step became ready at the latest
 * of its task's creation, its backoff's end and its last dependency's completion.
 */
export async function readReadyQueue(db: EngineReader): Promise<ReadyQueue> {
  const { rows } = await db.query<ReadyQueue>(
    `WITH ready AS (
       SELECT greatest(s.task_created_at, coalesce(s.run_after, s.task_created_at),
                       coalesce((SELECT max(d.completed_at) FROM steps d WHERE d.task_id = s.task_id AND d.name = ANY (s.depends_on)),
                                s.task_created_at)) AS ready_since
         FROM steps s
        WHERE s.status IN ('pending', 'retrying') AND s.waiting_for = 0 AND (s.run_after IS NULL OR s.run_after <= now()))
     SELECT count(*)::int AS depth,
            greatest(coalesce(extract(epoch FROM now() - min(ready_since)), 0), 0)::float8 AS "oldestReadyAgeSeconds"
       FROM ready`,
  );
  return rows[0] ?? { depth: 0, oldestReadyAgeSeconds: 0 };
}

/** An unfinished run whose pipeline version no live worker serves: nothing will ever claim its steps. */
export interface UnservedTask {
  taskId: string;
  namespace: string;
  name: string;
  version: string;
  /** `namespace/name@version` of the versions of this pipeline that live workers do serve. */
  servedVersions: string[];
}

/**
 * Unfinished runs pinned to a version that no worker alive within `aliveWithinSeconds` serves (workers record what
 * they serve with every heartbeat). Empty while no worker is alive at all: that is the readiness check's to report.
 */
export async function readUnservedTasks(db: EngineReader, options: { aliveWithinSeconds: number }): Promise<UnservedTask[]> {
  const { rows } = await db.query<UnservedTask>(
    `WITH alive AS (
       SELECT w.pipelines FROM workers w
        WHERE w.stopped_at IS NULL AND w.last_heartbeat_at > now() - make_interval(secs => $1::float8)
     ), served AS (SELECT DISTINCT unnest(a.pipelines) AS pipeline FROM alive a)
     SELECT t.id AS "taskId", t.namespace, t.name, t.version,
            ARRAY(SELECT s.pipeline FROM served s
                   WHERE left(s.pipeline, length(t.namespace || t.name) + 2) = t.namespace || '/' || t.name || '@' ORDER BY 1) AS "servedVersions"
       FROM tasks t
      WHERE t.status IN ('pending', 'running') AND EXISTS (SELECT 1 FROM alive)
        AND NOT EXISTS (SELECT 1 FROM served s WHERE s.pipeline = t.namespace || '/' || t.name || '@' || t.version)
      ORDER BY t.created_at`,
    [options.aliveWithinSeconds],
  );
  return rows;
}

export interface WorkerHeartbeat {
  workerId: string;
  hostname: string;
  pid: number;
  concurrency: number;
  lastHeartbeatAt: Date;
  heartbeatAgeSeconds: number;
}

/** Workers not stopped gracefully whose last heartbeat is at most `withinSeconds` old, freshest first. */
export async function readWorkerHeartbeats(db: EngineReader, options: { withinSeconds: number }): Promise<WorkerHeartbeat[]> {
  const { rows } = await db.query<WorkerHeartbeat>(
    `SELECT id AS "workerId", hostname, pid, concurrency, last_heartbeat_at AS "lastHeartbeatAt",
            greatest(extract(epoch FROM now() - last_heartbeat_at), 0)::float8 AS "heartbeatAgeSeconds"
       FROM workers
      WHERE stopped_at IS NULL AND last_heartbeat_at > now() - make_interval(secs => $1::float8)
      ORDER BY last_heartbeat_at DESC`,
    [options.withinSeconds],
  );
  return rows;
}
