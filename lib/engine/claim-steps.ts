/** claimSteps: hands a worker up to `limit` ready steps, each with a fresh attempt under a lease. */
import type pg from 'pg';
import { appendEvents, type NewEvent } from './events';
import { withTransaction } from '@/db/transaction';
import { lockTasks } from './task-transaction';
import type { JsonValue } from './types';

export interface PipelineKey {
  namespace: string;
  name: string;
  version: string;
}

export interface ClaimedStep {
  attemptId: number;
  attemptNumber: number;
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

/**
 * A step is ready when it is pending, or retrying with its backoff elapsed, its task is live, this
 * worker knows its pipeline, and every dependency is completed or resolved manually.
 */
const READY_CONDITION = `
      s.status IN ('pending', 'retrying')
  AND (s.run_after IS NULL OR s.run_after <= now())
  AND t.status IN ('pending', 'running')
  AND (t.namespace, t.name, t.version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
  AND NOT EXISTS (
        SELECT 1 FROM steps d
         WHERE d.task_id = s.task_id AND d.name = ANY (s.depends_on)
           AND d.status NOT IN ('completed', 'resolved_manually'))`;

/** How many of the oldest tasks with ready steps one claim considers. */
const CANDIDATE_TASKS = 4;

export async function claimSteps(
  pool: pg.Pool,
  options: { workerId: string; limit: number; leaseMs: number; pipelines: readonly PipelineKey[] },
): Promise<ClaimedStep[]> {
  if (options.limit <= 0 || options.pipelines.length === 0) return [];
  const pipelineParams = [
    options.pipelines.map((p) => p.namespace),
    options.pipelines.map((p) => p.name),
    options.pipelines.map((p) => p.version),
  ];

  return withTransaction(pool, async (client) => {
    // Which tasks have ready work, oldest task first. A plain read: it writes nothing, so it takes no
    // transaction id before the task locks below (see task-transaction.ts for why that matters).
    const candidates = await client.query<{ taskId: string }>(
      `SELECT s.task_id AS "taskId" FROM steps s JOIN tasks t ON t.id = s.task_id
        WHERE ${READY_CONDITION}
        GROUP BY s.task_id, t.created_at
        ORDER BY t.created_at
        LIMIT $4`,
      [...pipelineParams, CANDIDATE_TASKS],
    );
    if (candidates.rowCount === 0) return [];
    // Busy tasks are skipped, so concurrent workers spread over the oldest few tasks instead of queueing on one.
    const tasks = await lockTasks(
      client,
      candidates.rows.map((row) => row.taskId),
      { skipBusy: true },
    );

    /*
     * The claim. Two locks cooperate here:
     *  - The per-task advisory locks taken just above serialize every state change of these tasks
     *    (claims, completions, failures, operator actions), which keeps each task's outbox events in commit
     *    order and lets the readiness check below see its dependencies' final states.
     *  - FOR UPDATE OF s SKIP LOCKED locks the chosen step rows themselves, so no other transaction can claim
     *    or change them until we commit, and a row some other writer holds is passed over rather than waited
     *    for: a worker never blocks on another worker's claim, it takes the next ready step instead.
     * The readiness condition is evaluated again under the locks (READ COMMITTED takes a fresh snapshot per
     * statement), so a step claimed by a worker that held the task lock before us is no longer pending here.
     * The attempt row is inserted in the same statement, so a claimed step always has exactly one open attempt
     * with a lease, which heartbeats extend and recovery inspects.
     */
    const claimed = await client.query<Omit<ClaimedStep, 'results'> & { dependsOn: string[] }>(
      `WITH picked AS (
         SELECT s.id FROM steps s JOIN tasks t ON t.id = s.task_id
          WHERE s.task_id = ANY ($5::uuid[]) AND ${READY_CONDITION}
          ORDER BY t.created_at, s.position
          LIMIT $4
          FOR UPDATE OF s SKIP LOCKED
       ), claimed AS (
         UPDATE steps s
            SET status = 'running', attempt_count = s.attempt_count + 1, budget_attempts = s.budget_attempts + 1,
                started_at = coalesce(s.started_at, now()), run_after = NULL, updated_at = now()
           FROM picked WHERE s.id = picked.id
         RETURNING s.id, s.task_id, s.name, s.attempt_count, s.depends_on
       ), attempts AS (
         INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, lease_expires_at)
         SELECT task_id, id, name, attempt_count, $6, now() + make_interval(secs => $7::float8 / 1000)
           FROM claimed
         RETURNING id, step_id
       )
       SELECT a.id AS "attemptId", c.attempt_count AS "attemptNumber", c.id AS "stepId", c.name AS "stepName",
              c.task_id AS "taskId", t.namespace, t.name AS "pipelineName", t.version, t.context,
              c.depends_on AS "dependsOn"
         FROM claimed c JOIN attempts a ON a.step_id = c.id JOIN tasks t ON t.id = c.task_id`,
      [...pipelineParams, options.limit, [...tasks.keys()], options.workerId, options.leaseMs],
    );
    if (claimed.rowCount === 0) return [];

    const events: NewEvent[] = [];
    for (const task of tasks.values()) {
      if (task.status !== 'pending' || !claimed.rows.some((row) => row.taskId === task.id)) continue;
      await client.query(`UPDATE tasks SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now() WHERE id = $1`, [task.id]);
      events.push({ name: 'task.started', task });
    }
    for (const row of claimed.rows) {
      const task = tasks.get(row.taskId);
      if (task) events.push({ name: 'step.started', task, stepName: row.stepName, attempt: row.attemptNumber });
    }
    await appendEvents(client, events);

    const dependencyResults = await client.query<{ taskId: string; name: string; result: JsonValue }>(
      `SELECT task_id AS "taskId", name, result FROM steps
        WHERE (task_id, name) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [
        claimed.rows.flatMap((row) => row.dependsOn.map(() => row.taskId)),
        claimed.rows.flatMap((row) => row.dependsOn),
      ],
    );
    return claimed.rows.map(({ dependsOn, ...row }) => ({
      ...row,
      attemptId: Number(row.attemptId),
      results: Object.fromEntries(
        dependencyResults.rows
          .filter((dep) => dep.taskId === row.taskId && dependsOn.includes(dep.name))
          .map((dep) => [dep.name, dep.result]),
      ),
    }));
  });
}

/** When the earliest retrying step becomes due, so an idle worker can sleep exactly until then. */
export async function nextRetryDueAt(pool: pg.Pool): Promise<Date | null> {
  const due = await pool.query<{ at: Date | null }>(
    `SELECT min(run_after) AS at FROM steps WHERE status IN ('pending', 'retrying') AND run_after IS NOT NULL`,
  );
  return due.rows[0]?.at ?? null;
}
