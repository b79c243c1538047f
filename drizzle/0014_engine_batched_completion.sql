/*
 * nightshift_complete_steps: completes one attempt or a batch of them in one transaction. It replaces
 * nightshift_complete_step (one attempt per call), whose rules it keeps; the worker sends whatever finished while its
 * previous completion call was in flight as one batch.
 *
 * Why batch: a completion's cost is its commit and its writes, not its logic. The siblings of a fan-out all
 * decrement the same join row and update the same task row, so one completion per transaction made them queue
 * behind each other's commit (a WAL flush each) and wrote a new version of the join row per sibling. In one batch
 * the shared rows are locked once, each dependent is decremented once by the number of its parents that completed,
 * and the task's counter moves once.
 *
 * Correctness under concurrency:
 *  - The task rows are locked first, in task-id order. Every other writer (failure, operations, lease recovery)
 *    locks at most one task row per transaction and claims never wait for one (SKIP LOCKED), so two batches that
 *    share tasks take the same order and cannot deadlock. Holding the task row orders every writer of that task:
 *    two parents of a join completing in different batches decrement it one after the other, and exactly one of them
 *    takes it to 0.
 *  - The fence: an attempt is completed only while it is its step's current attempt and still open. An attempt
 *    closed by timeout, lease loss or cancel answers -1 and changes nothing; the others in the batch are unaffected.
 *  - A dependent cannot also be completed in the same batch: a running step's dependencies are all completed.
 *
 * Answers, per attempt: -1 when fenced off; otherwise how many dependents became ready, counted once per task on the
 * task's last attempt of the batch (0 on its others), so the sum is the number of newly ready steps.
 * p_results is a JSON array, one element per attempt in the order of p_attempt_ids.
 */
DROP FUNCTION nightshift_complete_step(bigint, jsonb, text);--> statement-breakpoint
CREATE FUNCTION nightshift_complete_steps(p_attempt_ids bigint[], p_results jsonb, p_summaries text[])
RETURNS TABLE (attempt_id bigint, ready integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_task_ids uuid[];
  v_pending_task_ids uuid[];
  v_task_id uuid;
  v_finished jsonb;
  v_completed bigint[];
BEGIN
  SELECT array_agg(t.id ORDER BY t.id), array_agg(t.id ORDER BY t.id) FILTER (WHERE t.status = 'pending')
    INTO v_task_ids, v_pending_task_ids FROM (
    SELECT t.id, t.status FROM tasks t
     WHERE t.id IN (SELECT a.task_id FROM step_attempts a WHERE a.id = ANY (p_attempt_ids))
     ORDER BY t.id
       FOR NO KEY UPDATE) t;
  IF v_task_ids IS NULL THEN
    RETURN QUERY SELECT i.id, -1 FROM unnest(p_attempt_ids) AS i(id);
    RETURN;
  END IF;
  -- A task stays pending when its first claim could not take the task row (see nightshift_claim_steps).
  FOREACH v_task_id IN ARRAY coalesce(v_pending_task_ids, '{}') LOOP
    PERFORM nightshift_start_task(v_task_id);
  END LOOP;

  WITH input AS (
    SELECT i.attempt_id, p_results -> (i.ord::integer - 1) AS result, i.summary
      FROM unnest(p_attempt_ids, p_summaries) WITH ORDINALITY AS i(attempt_id, summary, ord)
  ), closed AS (
    UPDATE step_attempts a SET finished_at = now(), outcome = 'completed'
      FROM steps s
     WHERE a.id IN (SELECT i.attempt_id FROM input i) AND a.finished_at IS NULL
       AND s.id = a.step_id AND s.current_attempt_id = a.id AND s.status = 'running'
    RETURNING a.id, a.task_id, a.step_id, a.attempt_number, extract(epoch FROM a.finished_at - a.started_at) * 1000 AS duration_ms
  ), completed AS (
    UPDATE steps s SET status = 'completed', result = i.result, completed_at = now(), run_after = NULL, updated_at = now()
      FROM closed c JOIN input i ON i.attempt_id = c.id
     WHERE s.id = c.step_id
    RETURNING s.task_id, s.name, s.position, s.dependents, c.id AS attempt_id, c.attempt_number, c.duration_ms, i.summary
  ), woken AS (
    UPDATE steps d SET waiting_for = d.waiting_for - w.parents, updated_at = now()
      FROM (SELECT c.task_id, dependent.name, count(*)::integer AS parents
              FROM completed c CROSS JOIN LATERAL unnest(c.dependents) AS dependent(name)
             GROUP BY c.task_id, dependent.name) w
     WHERE d.task_id = w.task_id AND d.name = w.name AND d.status = 'pending'
    RETURNING d.task_id, d.waiting_for
  ), events AS (
    INSERT INTO task_events (task_id, name, step_name, payload)
    SELECT c.task_id, 'step.completed', c.name,
           jsonb_build_object('namespace', t.namespace, 'taskName', t.name, 'taskId', t.id, 'stepName', c.name,
                              'attempt', c.attempt_number, 'durationMs', round(c.duration_ms), 'resultSummary', c.summary)
      FROM completed c JOIN tasks t ON t.id = c.task_id
     ORDER BY c.task_id, c.position
  ), per_task AS (
    SELECT c.task_id, count(*)::integer AS finished, max(c.attempt_id) AS last_attempt,
           (SELECT count(*)::integer FROM woken w WHERE w.task_id = c.task_id AND w.waiting_for = 0) AS ready
      FROM completed c GROUP BY c.task_id
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('task', p.task_id, 'finished', p.finished, 'last', p.last_attempt,
                                               'ready', p.ready)), '[]'::jsonb),
         (SELECT array_agg(c.attempt_id) FROM completed c)
    INTO v_finished, v_completed FROM per_task p;

  PERFORM nightshift_finish_steps((f ->> 'task')::uuid, (f ->> 'finished')::integer)
     FROM jsonb_array_elements(v_finished) AS f
    ORDER BY f ->> 'task';

  RETURN QUERY
  SELECT i.id,
         CASE WHEN i.id = ANY (v_completed)
              THEN coalesce((SELECT (f ->> 'ready')::integer FROM jsonb_array_elements(v_finished) AS f
                              WHERE (f ->> 'last')::bigint = i.id), 0)
              ELSE -1 END
    FROM unnest(p_attempt_ids) AS i(id);
END $$;
