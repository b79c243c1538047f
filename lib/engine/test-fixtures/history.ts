/**
 * Fills the engine's tables with finished history, set-based (10,000 tasks in about a second): half of the tasks
 * completed, half failed at their first dependent step with everything downstream of it blocked, every step with
 * its attempts. The benchmarks use it to show that claims cost the same however much history there is.
 */
import type pg from 'pg';
import type { PipelineDefinition } from '../types';
import { pipelineKey } from '../claim-steps';
import { downstreamOf } from '../graph';

export async function seedFinishedHistory(pool: pg.Pool, definition: PipelineDefinition, tasks: number): Promise<void> {
  const failing = definition.steps.find((step) => step.dependsOn.length > 0);
  if (!failing) throw new Error(`${definition.name} has no step with a dependency to fail`);
  const blocked = [...downstreamOf(definition.steps, [failing.name])];
  const steps = definition.steps.map((step, position) => ({
    name: step.name,
    position,
    depends_on: step.dependsOn,
    dependents: definition.steps.filter((other) => other.dependsOn.includes(step.name)).map((other) => other.name),
  }));
  await pool.query(
    `WITH task AS (
       INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, started_at, completed_at, unfinished_steps)
       SELECT $1, $2, $3, (CASE WHEN g % 2 = 0 THEN 'completed' ELSE 'failed' END)::task_status, '{}', 'history',
              now() - interval '30 days' + g * interval '1 minute', now() - interval '30 days' + g * interval '1 minute',
              now() - interval '30 days' + g * interval '1 minute' + interval '5 seconds', 0
         FROM generate_series(1, $4::int) AS g
       RETURNING id, status, created_at
     ), step AS (
       INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, status,
                          retryable, retry_limit, attempt_count, budget_attempts, started_at, completed_at, result)
       SELECT task.id, d.name, d.position, ARRAY(SELECT jsonb_array_elements_text(d.depends_on)),
              ARRAY(SELECT jsonb_array_elements_text(d.dependents)), 0, $5, task.created_at,
              (CASE WHEN task.status = 'completed' THEN 'completed'
                    WHEN d.name = $6 THEN 'failed'
                    WHEN d.name = ANY ($7::text[]) THEN 'blocked'
                    ELSE 'completed' END)::step_status,
              true, 3,
              CASE WHEN task.status = 'failed' AND d.name = $6 THEN 4 WHEN task.status = 'failed' AND d.name = ANY ($7::text[]) THEN 0 ELSE 1 END,
              CASE WHEN task.status = 'failed' AND d.name = $6 THEN 4 WHEN task.status = 'failed' AND d.name = ANY ($7::text[]) THEN 0 ELSE 1 END,
              task.created_at, task.created_at + interval '5 seconds', 'null'::jsonb
         FROM task CROSS JOIN jsonb_to_recordset($8::jsonb) AS d(name text, position int, depends_on jsonb, dependents jsonb)
       RETURNING id, task_id, name, status, attempt_count, started_at
     )
     INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at, outcome)
     SELECT step.task_id, step.id, step.name, n, 'history', step.started_at, step.started_at + interval '1 second',
            step.started_at + interval '30 seconds',
            (CASE WHEN step.status = 'failed' THEN 'failed' ELSE 'completed' END)::attempt_outcome
       FROM step CROSS JOIN LATERAL generate_series(1, step.attempt_count) AS n`,
    [definition.namespace, definition.name, definition.version, tasks, pipelineKey(definition), failing.name, blocked, JSON.stringify(steps)],
  );
  await pool.query('ANALYZE tasks, steps, step_attempts');
}
