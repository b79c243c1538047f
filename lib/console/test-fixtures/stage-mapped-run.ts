/**
 * A run with an expanded mapped step, written straight into the engine's tables the way the engine stores one:
 * `list_images` (done) → `resize` mapping over it, `children` rows `resize[<i>]` with their items appended to its
 * depends_on → `publish`. Every 50th child (3, 53, …) failed twice; 480–489 wait for a retry tomorrow; 490 and up have
 * not started; the rest completed. Its pipeline (`console_e2e/mapped_demo@3`) is served by no worker, so nothing
 * claims its steps. For the read-model test and the Playwright spec; needs at least 500 children for those states.
 */
import type { Pool } from 'pg';

export async function stageMappedRun(pool: Pool, children: number): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const {
      rows: [task],
    } = await client.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, started_at, definition_hash)
       VALUES ('console_e2e', 'mapped_demo', '3', 'running', '{}', 'e2e', now() - interval '2 minutes', repeat('ab12cd34', 8))
       RETURNING id`,
    );
    if (!task) throw new Error('no task');
    const pipeline = 'console_e2e/mapped_demo@3';
    await client.query(
      `INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, retryable, retry_limit,
                          status, started_at, completed_at, result, maps_over, map_max_items, map_items)
       SELECT $1, s.name, s.position, s.depends_on, s.dependents, s.waiting_for, $2, t.created_at, true, 3,
              s.status::step_status, s.started_at, s.completed_at, s.result, s.maps_over, s.map_max_items, s.map_items
         FROM tasks t,
              (VALUES
                ('list_images', 0, '{}'::text[], '{resize}'::text[], 0, 'completed', now() - interval '2 minutes', now() - interval '110 seconds', '[]'::jsonb, NULL, NULL::int, NULL::int),
                ('resize', 1, ARRAY['list_images'] || ARRAY(SELECT format('resize[%s]', i) FROM generate_series(0, $3 - 1) AS i), '{publish}', 30, 'pending', NULL, NULL, NULL, 'list_images', 1000, $3),
                ('publish', 2, '{resize}', '{}', 1, 'pending', NULL, NULL, NULL, NULL, NULL, NULL)
              ) AS s(name, position, depends_on, dependents, waiting_for, status, started_at, completed_at, result, maps_over, map_max_items, map_items)
        WHERE t.id = $1`,
      [task.id, pipeline, children],
    );
    await client.query(
      `INSERT INTO steps (task_id, name, position, depends_on, dependents, waiting_for, pipeline, task_created_at, retryable, retry_limit,
                          status, attempt_count, budget_attempts, run_after, started_at, completed_at, result, last_error,
                          map_parent, map_index, map_item)
       SELECT $1, format('resize[%s]', i), 3 + i, '{list_images}', '{resize}', CASE WHEN i >= 490 THEN 1 ELSE 0 END, $2, t.created_at, true, 3,
              (CASE WHEN i % 50 = 3 THEN 'failed' WHEN i >= 490 THEN 'pending' WHEN i >= 480 THEN 'retrying' ELSE 'completed' END)::step_status,
              CASE WHEN i % 50 = 3 THEN 2 WHEN i >= 490 THEN 0 ELSE 1 END,
              CASE WHEN i % 50 = 3 THEN 2 WHEN i >= 490 THEN 0 ELSE 1 END,
              CASE WHEN i >= 480 AND i < 490 AND i % 50 <> 3 THEN now() + interval '1 day' END,
              CASE WHEN i < 490 THEN now() - interval '100 seconds' + i * interval '100 ms' END,
              CASE WHEN i < 480 AND i % 50 <> 3 THEN now() - interval '99 seconds' + i * interval '100 ms' END,
              CASE WHEN i < 480 AND i % 50 <> 3 THEN jsonb_build_object('width', 320) END,
              CASE WHEN i % 50 = 3 THEN jsonb_build_object('class', 'HttpError', 'message', format('image server answered 503 for photos/%s.jpg', lpad(i::text, 4, '0'))) END,
              'resize', i, jsonb_build_object('url', format('https://img.example/photos/%s.jpg', lpad(i::text, 4, '0')))
         FROM tasks t, generate_series(0, $3 - 1) AS i
        WHERE t.id = $1`,
      [task.id, pipeline, children],
    );
    await client.query(
      `INSERT INTO step_attempts (task_id, step_id, step_name, attempt_number, worker_id, started_at, finished_at, lease_expires_at, outcome, error_class, error_message)
       SELECT s.task_id, s.id, s.name, n, 'e2e-worker', s.started_at + (n - 1) * interval '2 seconds', s.started_at + (n - 1) * interval '2 seconds' + interval '1 second',
              s.started_at, (CASE WHEN s.status = 'completed' THEN 'completed' ELSE 'failed' END)::attempt_outcome,
              CASE WHEN s.status <> 'completed' THEN 'HttpError' END, CASE WHEN s.status <> 'completed' THEN 'image server answered 503' END
         FROM steps s, generate_series(1, 2) AS n
        WHERE s.task_id = $1 AND s.started_at IS NOT NULL AND n <= s.attempt_count`,
      [task.id],
    );
    await client.query('UPDATE tasks SET unfinished_steps = (SELECT count(*) FROM steps WHERE task_id = $1 AND status NOT IN ($2, $3)) WHERE id = $1', [
      task.id,
      'completed',
      'failed',
    ]);
    await client.query('COMMIT');
    return task.id;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
