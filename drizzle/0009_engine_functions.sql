-- The engine's hot paths as SQL functions: a claim, a completion and a failure are each one call (one round trip,
-- one transaction). lib/engine/*.ts call them; the reasoning behind each lock is written beside it.
-- NOTIFY channel names are the constants of lib/engine/channels.ts.
--
-- Claims and completions send no NOTIFY themselves: PostgreSQL serializes the commits of every transaction that
-- notifies (one cluster-wide lock held through the commit's WAL flush), which measured 3-4x fewer commits per second
-- with eight concurrent writers. The worker announces what its calls changed instead, coalesced into one NOTIFY
-- every few milliseconds (lib/engine/announcer.ts). Rarer paths (failures, operator operations) notify here.

-- Closes a task whose last unfinished steps just reached a final state. Called with the task row locked.
CREATE FUNCTION nightshift_finish_steps(p_task_id uuid, p_finished integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_failed text[];
  v_next task_status;
BEGIN
  UPDATE tasks SET unfinished_steps = unfinished_steps - p_finished, updated_at = now()
   WHERE id = p_task_id AND status IN ('pending', 'running')
  RETURNING * INTO v_task;
  IF NOT FOUND OR v_task.unfinished_steps > 0 THEN
    RETURN;
  END IF;
  SELECT array_agg(name ORDER BY position) INTO v_failed
    FROM steps WHERE task_id = p_task_id AND status NOT IN ('completed', 'resolved_manually');
  v_next := CASE WHEN v_failed IS NULL THEN 'completed' ELSE 'failed' END;
  UPDATE tasks SET status = v_next, completed_at = now(), updated_at = now() WHERE id = p_task_id;
  INSERT INTO task_events (task_id, name, payload)
  VALUES (p_task_id, 'task.' || v_next::text,
          jsonb_build_object('namespace', v_task.namespace, 'taskName', v_task.name, 'taskId', v_task.id,
                             'durationMs', round(extract(epoch FROM now() - coalesce(v_task.started_at, v_task.created_at)) * 1000))
          || CASE WHEN v_next = 'failed'
                  THEN jsonb_build_object('failedSteps',
                         (SELECT coalesce(jsonb_agg(name ORDER BY position), '[]'::jsonb) FROM steps
                           WHERE task_id = p_task_id AND status IN ('failed', 'cancelled')))
                  ELSE '{}'::jsonb END);
END $$;--> statement-breakpoint

-- Starts a pending task (first claim, or the first writer that locked it when that claim could not).
-- Called with the task row locked.
CREATE FUNCTION nightshift_start_task(p_task_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  WITH started AS (
    UPDATE tasks SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
     WHERE id = p_task_id AND status = 'pending'
    RETURNING id, namespace, name)
  INSERT INTO task_events (task_id, name, payload)
  SELECT id, 'task.started', jsonb_build_object('namespace', namespace, 'taskName', name, 'taskId', id) FROM started;
END $$;--> statement-breakpoint

/*
 * Claim: hands a worker up to p_limit ready steps, each with a fresh attempt under a lease, and the results of
 * their dependencies. One call; no advisory lock; row locks held until this statement's transaction ends.
 *
 * Why it is correct under concurrency:
 *  - Readiness is materialized. A step enters the ready index (pending or retrying, waiting_for = 0) only in the
 *    transaction that completed (or resolved) its last unfinished dependency; two parents finishing at once both
 *    lock their task row first (nightshift_complete_step), so they decrement the join one after the other and
 *    exactly one of them takes it to 0. No dependency is checked here, and finished history is outside the index.
 *  - FOR UPDATE SKIP LOCKED gives each ready row to exactly one claimer and never waits: a row that another
 *    transaction holds (another claim, a cancel, an operator) is passed over. Under READ COMMITTED a row that
 *    changed after this statement's snapshot is re-checked against the WHERE clause on its newest version before
 *    it is locked, so a step that a committed cancel, failure or claim took out of the queue is not picked.
 *  - A claim racing a cancel: cancel locks the task row, then updates the task's steps. If it reaches a step we
 *    locked, it waits for our commit and then cancels the step we started, closing its attempt in a later
 *    statement that sees it (the worker's handler is aborted by the cancel notification). If it got there first,
 *    we skip the row, and once cancel commits the row no longer matches. A step is never started after its
 *    task's cancel committed.
 *  - Starting a pending task takes the task row with SKIP LOCKED: the cancel above holds that row while it waits
 *    for our step locks, so waiting for it here could deadlock. When skipped, the next writer that locks the task
 *    (completion, failure) starts it.
 * Events are written in the same transaction, so the outbox never disagrees with the state.
 */
CREATE FUNCTION nightshift_claim_steps(p_worker_id text, p_pipelines text[], p_limit integer, p_lease_ms double precision)
RETURNS TABLE (attempt_id bigint, attempt_number integer, budget_attempts integer, step_id uuid, step_name text,
               task_id uuid, namespace text, pipeline_name text, version text, context jsonb, results jsonb)
LANGUAGE plpgsql AS $$
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
    RETURNING s.id, s.task_id, s.name, s.position, s.attempt_count, s.budget_attempts, s.current_attempt_id, s.depends_on
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
            FROM steps d WHERE d.task_id = c.task_id AND d.name = ANY (c.depends_on))
    FROM claimed c JOIN tasks t ON t.id = c.task_id;
END $$;--> statement-breakpoint

/*
 * Completion of an attempt. Returns how many dependents became ready (the caller claims what it can and announces
 * the rest), or -1 when the attempt may no longer change its step (the fence: closed by timeout, lease loss or
 * cancel, or superseded by a newer attempt).
 *
 * The task row is locked first, by every writer that changes a task's state (completion, failure, operator
 * operations, cancel); claims never wait for it. That orders the writers of one task: the decrement of a join's
 * waiting_for and of the task's unfinished_steps happen one transaction after the other, so the transaction that
 * takes a counter to 0 is exactly one, and sees every earlier writer's committed steps in its later statements.
 */
CREATE FUNCTION nightshift_complete_step(p_attempt_id bigint, p_result jsonb, p_result_summary text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_attempt record;
  v_step record;
  v_ready integer;
BEGIN
  SELECT t.* INTO v_task FROM tasks t
   WHERE t.id = (SELECT a.task_id FROM step_attempts a WHERE a.id = p_attempt_id)
   FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN -1;
  END IF;

  UPDATE step_attempts a SET finished_at = now(), outcome = 'completed'
    FROM steps s
   WHERE a.id = p_attempt_id AND a.finished_at IS NULL
     AND s.id = a.step_id AND s.current_attempt_id = a.id AND s.status = 'running'
  RETURNING a.step_id, a.attempt_number, extract(epoch FROM a.finished_at - a.started_at) * 1000 AS duration_ms
  INTO v_attempt;
  IF NOT FOUND THEN
    RETURN -1;
  END IF;

  PERFORM nightshift_start_task(v_task.id);
  UPDATE steps SET status = 'completed', result = p_result, completed_at = now(), run_after = NULL, updated_at = now()
   WHERE id = v_attempt.step_id
  RETURNING name, dependents INTO v_step;

  WITH woken AS (
    UPDATE steps SET waiting_for = waiting_for - 1, updated_at = now()
     WHERE task_id = v_task.id AND name = ANY (v_step.dependents) AND status = 'pending'
    RETURNING waiting_for)
  SELECT count(*) FILTER (WHERE waiting_for = 0) INTO v_ready FROM woken;

  INSERT INTO task_events (task_id, name, step_name, payload)
  VALUES (v_task.id, 'step.completed', v_step.name,
          jsonb_build_object('namespace', v_task.namespace, 'taskName', v_task.name, 'taskId', v_task.id,
                             'stepName', v_step.name, 'attempt', v_attempt.attempt_number,
                             'durationMs', round(v_attempt.duration_ms), 'resultSummary', p_result_summary));
  PERFORM nightshift_finish_steps(v_task.id, 1);
  RETURN v_ready;
END $$;--> statement-breakpoint

/*
 * Failure of an attempt: the handler threw ('failed'), ran past its timeout ('timed_out'), its worker stopped
 * renewing the lease ('lost', p_only_if_lease_expired so a late heartbeat wins) or shut down ('released', which
 * does not spend the retry budget). The caller computed the back-off delay from the budget_attempts the claim
 * returned. Returns 'retrying', 'failed', or 'fenced' when the attempt may no longer change its step.
 * A final failure blocks everything downstream in the same transaction, so nothing waits for ever.
 */
CREATE FUNCTION nightshift_fail_step(
  p_attempt_id bigint, p_outcome attempt_outcome, p_error_class text, p_message text, p_stack text,
  p_retryable boolean, p_delay_ms double precision, p_only_if_lease_expired boolean)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_attempt record;
  v_step steps%ROWTYPE;
  v_budget integer;
  v_retry boolean;
  v_delay double precision;
  v_run_at timestamptz;
  v_blocked integer := 0;
BEGIN
  SELECT t.* INTO v_task FROM tasks t
   WHERE t.id = (SELECT a.task_id FROM step_attempts a WHERE a.id = p_attempt_id)
   FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN 'fenced';
  END IF;

  UPDATE step_attempts a
     SET finished_at = now(), outcome = p_outcome, error_class = p_error_class, error_message = p_message,
         error_stack = p_stack
   WHERE a.id = p_attempt_id AND a.finished_at IS NULL
     AND (NOT p_only_if_lease_expired OR a.lease_expires_at < now())
  RETURNING a.step_id, a.attempt_number, extract(epoch FROM a.finished_at - a.started_at) * 1000 AS duration_ms
  INTO v_attempt;
  IF NOT FOUND THEN
    RETURN 'fenced';
  END IF;
  SELECT * INTO v_step FROM steps WHERE id = v_attempt.step_id;
  -- The attempt is closed either way; only the step's current, running attempt may decide what the step does next.
  IF v_step.current_attempt_id IS DISTINCT FROM p_attempt_id OR v_step.status <> 'running' THEN
    RETURN 'fenced';
  END IF;

  PERFORM nightshift_start_task(v_task.id);
  v_budget := CASE WHEN p_outcome = 'released' THEN v_step.budget_attempts - 1 ELSE v_step.budget_attempts END;
  v_retry := p_outcome = 'released' OR (v_step.retryable AND p_retryable AND v_budget <= v_step.retry_limit);
  v_delay := CASE WHEN p_outcome = 'released' THEN 0 ELSE greatest(p_delay_ms, 0) END;
  v_run_at := clock_timestamp() + make_interval(secs => v_delay / 1000);

  UPDATE steps
     SET status = CASE WHEN v_retry THEN 'retrying' ELSE 'failed' END::step_status,
         budget_attempts = v_budget,
         last_error = jsonb_build_object('class', p_error_class, 'message', p_message, 'retryable', v_retry,
                                         'outcome', p_outcome, 'at', now()),
         run_after = CASE WHEN v_retry THEN v_run_at END,
         updated_at = now()
   WHERE id = v_step.id;

  INSERT INTO task_events (task_id, name, step_name, payload)
  VALUES (v_task.id, CASE WHEN v_retry THEN 'step.retrying' ELSE 'step.failed' END, v_step.name,
          jsonb_build_object('namespace', v_task.namespace, 'taskName', v_task.name, 'taskId', v_task.id,
                             'stepName', v_step.name, 'attempt', v_attempt.attempt_number,
                             'durationMs', round(v_attempt.duration_ms), 'outcome', p_outcome,
                             'error', jsonb_build_object('class', p_error_class, 'message', p_message,
                                                         'retryable', v_retry))
          || CASE WHEN v_retry
                  THEN jsonb_build_object('retryInMs', round(v_delay),
                         'nextAttemptAt', to_char(v_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                  ELSE '{}'::jsonb END);

  IF v_retry THEN
    -- "count" when claimable at once, "count@epoch-ms" when it becomes claimable later: idle workers set a timer.
    PERFORM pg_notify('nightshift_ready',
                      CASE WHEN v_delay <= 0 THEN '1'
                           ELSE '1@' || floor(extract(epoch FROM v_run_at) * 1000)::bigint END);
  ELSE
    WITH RECURSIVE downstream(name) AS (
      SELECT unnest(v_step.dependents)
      UNION
      SELECT unnest(d.dependents) FROM steps d JOIN downstream ON d.task_id = v_task.id AND d.name = downstream.name
    ), blocked AS (
      UPDATE steps SET status = 'blocked', updated_at = now()
       WHERE task_id = v_task.id AND name IN (SELECT name FROM downstream) AND status = 'pending'
      RETURNING 1)
    SELECT count(*) INTO v_blocked FROM blocked;
    PERFORM nightshift_finish_steps(v_task.id, 1 + v_blocked);
  END IF;
  PERFORM pg_notify('nightshift_events', v_task.id::text);
  RETURN CASE WHEN v_retry THEN 'retrying' ELSE 'failed' END;
END $$;--> statement-breakpoint

/*
 * Recomputes a task's derived state after an operator operation changed its steps (called with the task row
 * locked): pending steps with a failed, cancelled or blocked dependency become blocked; every pending step's
 * waiting_for and the task's unfinished_steps are counted again; the task finishes, or reopens when an operation
 * gave it work again. Returns how many steps are ready, so the caller can wake exactly that many claims.
 */
CREATE FUNCTION nightshift_settle_task(p_task_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
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
