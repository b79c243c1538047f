-- The two events every step writes, step.started (claim) and step.completed (completion), stop copying into their
-- payload what their row already says: the task id and step name are columns of task_events, the namespace and
-- pipeline name are the task's. Readers (lib/engine/event-payload.ts) put those four fields back, so subscribers and
-- the run page see the same payload as before, and older rows that still carry them read the same. Each event row is
-- ~120 bytes shorter (more with long pipeline names), about 0.25 kB less WAL and storage per step.
--
-- Only the event payloads change; the rest of both functions is drizzle/0026_engine_maps_and_ancestors.sql's.
CREATE OR REPLACE FUNCTION nightshift_claim_steps(p_worker_id text, p_pipelines text[], p_limit integer, p_lease_ms double precision)
RETURNS TABLE (attempt_id bigint, attempt_number integer, budget_attempts integer, step_id uuid, step_name text,
               task_id uuid, namespace text, pipeline_name text, version text, context jsonb, results jsonb,
               timeout_ms integer, definition_hash text, readable text[], maps_over text, map_items integer,
               map_parent text, map_index integer, map_item jsonb)
LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  v_ids uuid[];
BEGIN
  SELECT array_agg(ready.id) INTO v_ids FROM (
    SELECT s.id FROM steps s
     WHERE s.status IN ('pending', 'retrying') AND s.waiting_for = 0
       AND (s.run_after IS NULL OR s.run_after <= now())
       AND s.pipeline = ANY (p_pipelines)
     ORDER BY s.task_created_at, s.position
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED) ready;
  IF v_ids IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH claimed AS (
    UPDATE steps s
       SET status = 'running', attempt_count = s.attempt_count + 1, budget_attempts = s.budget_attempts + 1,
           current_attempt_id = nextval('step_attempts_id_seq'), started_at = coalesce(s.started_at, now()),
           run_after = NULL, progress_message = NULL, progress_percent = NULL, progress_updated_at = NULL,
           updated_at = now()
     WHERE s.id = ANY (v_ids)
    RETURNING s.id, s.task_id, s.name, s.position, s.attempt_count, s.budget_attempts, s.current_attempt_id, s.depends_on,
              s.ancestors, s.timeout_ms, s.maps_over, s.map_items, s.map_parent, s.map_index, s.map_item
  ), attempts AS (
    INSERT INTO step_attempts (id, task_id, step_id, step_name, attempt_number, worker_id, lease_expires_at)
    SELECT c.current_attempt_id, c.task_id, c.id, c.name, c.attempt_count, p_worker_id,
           now() + make_interval(secs => p_lease_ms / 1000)
      FROM claimed c
  ), started AS (
    UPDATE tasks t SET status = 'running', started_at = coalesce(t.started_at, now()), updated_at = now()
     WHERE t.id IN (SELECT l.id FROM tasks l
                     WHERE l.id IN (SELECT c.task_id FROM claimed c) AND l.status = 'pending'
                     FOR NO KEY UPDATE SKIP LOCKED)
    RETURNING t.id, t.namespace, t.name
  ), events AS (
    INSERT INTO task_events (task_id, name, step_name, payload)
    SELECT e.task_id, e.name, e.step_name, e.payload FROM (
      SELECT st.id AS task_id, 'task.started' AS name, NULL::text AS step_name, 0 AS ord, 0 AS pos,
             jsonb_build_object('namespace', st.namespace, 'taskName', st.name, 'taskId', st.id) AS payload
        FROM started st
      UNION ALL
      SELECT c.task_id, 'step.started', c.name, 1, c.position, jsonb_build_object('attempt', c.attempt_count)
        FROM claimed c
    ) e ORDER BY e.task_id, e.ord, e.pos
  )
  SELECT c.current_attempt_id, c.attempt_count, c.budget_attempts, c.id, c.name, c.task_id,
         t.namespace, t.name, t.version, t.context,
         (SELECT coalesce(jsonb_object_agg(d.name, d.result), '{}'::jsonb)
            FROM steps d WHERE d.task_id = c.task_id AND d.name = ANY (c.depends_on || c.ancestors)),
         c.timeout_ms, t.definition_hash, c.depends_on || c.ancestors, c.maps_over, c.map_items, c.map_parent,
         c.map_index, c.map_item
    FROM claimed c JOIN tasks t ON t.id = c.task_id;
END $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION nightshift_complete_steps(p_attempt_ids bigint[], p_results jsonb, p_summaries text[])
RETURNS TABLE (attempt_id bigint, ready integer)
LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  v_task_ids uuid[];
  v_pending_task_ids uuid[];
  v_task_id uuid;
  v_finished jsonb;
  v_completed bigint[];
  v_map_task_ids uuid[];
  v_more integer;
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
    RETURNING d.task_id, d.waiting_for, d.maps_over IS NOT NULL AND d.map_items IS NULL AS expands
  ), events AS (
    INSERT INTO task_events (task_id, name, step_name, payload)
    SELECT c.task_id, 'step.completed', c.name,
           jsonb_build_object('attempt', c.attempt_number, 'durationMs', round(c.duration_ms), 'resultSummary', c.summary)
      FROM completed c
     ORDER BY c.task_id, c.position
  ), per_task AS (
    SELECT c.task_id, count(*)::integer AS finished, max(c.attempt_id) AS last_attempt,
           (SELECT count(*)::integer FROM woken w WHERE w.task_id = c.task_id AND w.waiting_for = 0) AS ready
      FROM completed c GROUP BY c.task_id
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('task', p.task_id, 'finished', p.finished, 'last', p.last_attempt,
                                               'ready', p.ready)), '[]'::jsonb),
         (SELECT array_agg(c.attempt_id) FROM completed c),
         (SELECT array_agg(DISTINCT w.task_id ORDER BY w.task_id) FROM woken w WHERE w.waiting_for = 0 AND w.expands)
    INTO v_finished, v_completed, v_map_task_ids FROM per_task p;

  -- Mapped steps this batch made ready are expanded now, in the transaction that recorded their list.
  FOREACH v_task_id IN ARRAY coalesce(v_map_task_ids, '{}') LOOP
    v_more := nightshift_expand_maps(v_task_id);
    SELECT jsonb_agg(CASE WHEN f ->> 'task' = v_task_id::text
                          THEN jsonb_set(f, '{ready}', to_jsonb((f ->> 'ready')::integer + v_more)) ELSE f END)
      INTO v_finished FROM jsonb_array_elements(v_finished) AS f;
  END LOOP;

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
