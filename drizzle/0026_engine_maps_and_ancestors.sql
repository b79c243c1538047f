-- Ancestor results, mapped steps (dynamic fan-out) and pinned step settings.
--
-- A claim now hands a step the results of every ancestor (steps.ancestors, the transitive closure of depends_on
-- computed at launch; rows older than it have none, and get their direct dependencies as before), and the settings
-- the run pinned: its timeout, its definition hash, and for mapped steps the map columns. The return type grows, so
-- the claim and the completion-and-claim are dropped and created again (with the planner settings of 0022).
--
-- A mapped step (steps.maps_over) is expanded when it becomes ready: in the transaction that completed its last
-- dependency (nightshift_complete_steps) or that an operator operation settled (nightshift_settle_task). Its list is
-- the stored result of the ancestor it maps over; each item becomes a child step "<step>[<index>]" that runs the
-- step's handler, and the children are appended to the step's depends_on, so every rule that follows dependencies
-- (waiting_for, blocking on failure, operator retries, settle) treats them as what the step waits for. When they are
-- all done the step is claimed once more and completes with their results in item order. A list that is not a list,
-- or longer than map_max_items, is left unexpanded: the worker that claims the step fails it with the reason.
DROP FUNCTION nightshift_complete_and_claim(bigint[], jsonb, text[], text, text[], integer, boolean, double precision);--> statement-breakpoint
DROP FUNCTION nightshift_claim_steps(text, text[], integer, double precision);--> statement-breakpoint

/*
 * Claim: see drizzle/0009_engine_functions.sql for why it is correct under concurrency; only what it returns changed.
 */
CREATE FUNCTION nightshift_claim_steps(p_worker_id text, p_pipelines text[], p_limit integer, p_lease_ms double precision)
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
      SELECT c.task_id, 'step.started', c.name, 1, c.position,
             jsonb_build_object('namespace', t.namespace, 'taskName', t.name, 'taskId', t.id, 'stepName', c.name,
                                'attempt', c.attempt_count)
        FROM claimed c JOIN tasks t ON t.id = c.task_id
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

/* nightshift_complete_and_claim: see drizzle/0023_engine_complete_and_claim.sql; only the claim's columns changed. */
CREATE FUNCTION nightshift_complete_and_claim(
  p_attempt_ids bigint[], p_results jsonb, p_summaries text[],
  p_worker_id text, p_pipelines text[], p_claim_limit integer, p_claim_any boolean, p_lease_ms double precision)
RETURNS TABLE (completed_attempt_id bigint, ready integer,
               attempt_id bigint, attempt_number integer, budget_attempts integer, step_id uuid, step_name text,
               task_id uuid, namespace text, pipeline_name text, version text, context jsonb, results jsonb,
               timeout_ms integer, definition_hash text, readable text[], maps_over text, map_items integer,
               map_parent text, map_index integer, map_item jsonb)
LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_ids bigint[];
  v_ready integer[];
  v_limit integer;
BEGIN
  SELECT array_agg(c.attempt_id ORDER BY c.ord), array_agg(c.ready ORDER BY c.ord) INTO v_ids, v_ready
    FROM nightshift_complete_steps(p_attempt_ids, p_results, p_summaries) WITH ORDINALITY AS c(attempt_id, ready, ord);
  RETURN QUERY SELECT i.id, i.ready, NULL::bigint, NULL::integer, NULL::integer, NULL::uuid, NULL::text, NULL::uuid,
                      NULL::text, NULL::text, NULL::text, NULL::jsonb, NULL::jsonb, NULL::integer, NULL::text,
                      NULL::text[], NULL::text, NULL::integer, NULL::text, NULL::integer, NULL::jsonb
                 FROM unnest(v_ids, v_ready) AS i(id, ready);

  v_limit := CASE WHEN p_claim_any THEN p_claim_limit
                  ELSE least(p_claim_limit, (SELECT coalesce(sum(r), 0)::integer FROM unnest(v_ready) AS r WHERE r > 0)) END;
  IF v_limit > 0 THEN
    RETURN QUERY SELECT NULL::bigint, NULL::integer, c.attempt_id, c.attempt_number, c.budget_attempts, c.step_id,
                        c.step_name, c.task_id, c.namespace, c.pipeline_name, c.version, c.context, c.results,
                        c.timeout_ms, c.definition_hash, c.readable, c.maps_over, c.map_items, c.map_parent,
                        c.map_index, c.map_item
                   FROM nightshift_claim_steps(p_worker_id, p_pipelines, v_limit, p_lease_ms) AS c;
  END IF;
END $$;--> statement-breakpoint

/*
 * Expands the task's mapped steps that are ready and not yet expanded, whose list is valid. Called with the task row
 * locked (by the completion or the operation that made them ready), so one expansion happens per readiness.
 * Returns how many more steps are ready than before: a step with n items gives way to its n children (n - 1 more);
 * one with no items stays ready itself and completes with an empty list.
 */
CREATE FUNCTION nightshift_expand_maps(p_task_id uuid) RETURNS integer
LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_children integer;
  v_gave_way integer;
BEGIN
  WITH lists AS (
    SELECT m.id, m.name, src.result AS list, jsonb_array_length(src.result) AS items
      FROM steps m
      JOIN steps src ON src.task_id = m.task_id AND src.name = m.maps_over
     WHERE m.task_id = p_task_id AND m.maps_over IS NOT NULL AND m.map_items IS NULL
       AND m.status = 'pending' AND m.waiting_for = 0
       AND jsonb_typeof(src.result) = 'array' AND jsonb_array_length(src.result) <= m.map_max_items
  ), children AS (
    INSERT INTO steps (task_id, name, position, description, depends_on, dependents, ancestors, waiting_for, pipeline,
                       task_created_at, retryable, retry_limit, timeout_ms, metadata, map_parent, map_index, map_item)
    SELECT m.task_id, m.name || '[' || (e.ord - 1) || ']', m.position, m.description, '{}', ARRAY[m.name], m.ancestors, 0,
           m.pipeline, m.task_created_at, m.retryable, m.retry_limit, m.timeout_ms, m.metadata, m.name, e.ord - 1, e.item
      FROM lists l JOIN steps m ON m.id = l.id
     CROSS JOIN LATERAL jsonb_array_elements(l.list) WITH ORDINALITY AS e(item, ord)
  ), expanded AS (
    UPDATE steps m
       SET map_items = l.items, waiting_for = l.items, updated_at = now(),
           depends_on = m.depends_on || ARRAY(SELECT m.name || '[' || (i - 1) || ']' FROM generate_series(1, l.items) AS i)
      FROM lists l
     WHERE m.id = l.id
    RETURNING m.map_items
  )
  SELECT coalesce(sum(map_items), 0)::integer, count(*) FILTER (WHERE map_items > 0)::integer
    INTO v_children, v_gave_way FROM expanded;
  IF v_children > 0 THEN
    UPDATE tasks SET unfinished_steps = unfinished_steps + v_children, updated_at = now() WHERE id = p_task_id;
  END IF;
  RETURN v_children - v_gave_way;
END $$;--> statement-breakpoint

/*
 * nightshift_complete_steps: see drizzle/0014_engine_batched_completion.sql for its rules. What changed: a mapped step
 * that this batch made ready is expanded before the transaction ends, and the ready count of its task includes its
 * children instead of itself.
 */
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
END $$;--> statement-breakpoint

/*
 * nightshift_settle_task: see drizzle/0009_engine_functions.sql. What changed: mapped steps that the operation made
 * ready are expanded before the ready steps are counted.
 */
CREATE OR REPLACE FUNCTION nightshift_settle_task(p_task_id uuid) RETURNS integer
LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_unfinished integer;
  v_ready integer;
BEGIN
  LOOP
    UPDATE steps s SET status = 'blocked', updated_at = now()
     WHERE s.task_id = p_task_id AND s.status = 'pending'
       AND EXISTS (SELECT 1 FROM steps d WHERE d.task_id = p_task_id AND d.name = ANY (s.depends_on)
                      AND d.status IN ('failed', 'cancelled', 'blocked'));
    EXIT WHEN NOT FOUND;
  END LOOP;
  UPDATE steps s SET waiting_for = (
      SELECT count(*) FROM steps d WHERE d.task_id = p_task_id AND d.name = ANY (s.depends_on)
         AND d.status NOT IN ('completed', 'resolved_manually'))
   WHERE s.task_id = p_task_id AND s.status = 'pending';
  PERFORM nightshift_expand_maps(p_task_id);
  SELECT count(*) FILTER (WHERE status IN ('pending', 'running', 'retrying')),
         count(*) FILTER (WHERE status IN ('pending', 'retrying') AND waiting_for = 0)
    INTO v_unfinished, v_ready
    FROM steps WHERE task_id = p_task_id;

  IF v_unfinished > 0 THEN
    UPDATE tasks SET unfinished_steps = v_unfinished, updated_at = now(),
                     status = CASE WHEN status IN ('completed', 'failed') THEN 'running'::task_status ELSE status END,
                     completed_at = CASE WHEN status IN ('completed', 'failed') THEN NULL ELSE completed_at END
     WHERE id = p_task_id AND status <> 'cancelled';
  ELSE
    -- Reopen first so nightshift_finish_steps records the outcome (and its event) of this operation.
    UPDATE tasks SET unfinished_steps = 0, status = 'running', updated_at = now()
     WHERE id = p_task_id AND status IN ('completed', 'failed')
       AND status <> (CASE WHEN EXISTS (SELECT 1 FROM steps WHERE task_id = p_task_id
                                          AND status NOT IN ('completed', 'resolved_manually'))
                           THEN 'failed' ELSE 'completed' END)::task_status;
    PERFORM nightshift_finish_steps(p_task_id, 0);
  END IF;
  RETURN v_ready;
END $$;
