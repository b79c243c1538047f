-- Failure accounting: infrastructure losses and rate limits no longer spend a step's retry budget; each has its own
-- cap. Replaces nightshift_fail_step of 0009 (two more parameters: the caps).
DROP FUNCTION nightshift_fail_step(bigint, attempt_outcome, text, text, text, boolean, double precision, boolean);--> statement-breakpoint
/*
 * Failure of an attempt: the handler threw ('failed'), ran past its timeout ('timed_out'), the source rate-limited it
 * ('rate_limited', waiting as the source said), its worker died, froze or lost the database ('lost';
 * p_only_if_lease_expired when recovery declares it, so a late heartbeat wins) or shut down ('released').
 * Only 'failed' and 'timed_out' spend the step's retry budget: infrastructure and rate limits say nothing about the
 * step, so a rolling restart or a 429 storm must not page anyone. Each has its own cap instead (p_max_lost,
 * p_max_rate_limited), so a step that kills its worker every time, or a source that never lets us in, still ends.
 * The caller computed the delay. Returns 'retrying', 'failed', or 'fenced' when the attempt may no longer change its
 * step. A final failure blocks everything downstream in the same transaction, so nothing waits for ever.
 */
CREATE FUNCTION nightshift_fail_step(
  p_attempt_id bigint, p_outcome attempt_outcome, p_error_class text, p_message text, p_stack text,
  p_retryable boolean, p_delay_ms double precision, p_only_if_lease_expired boolean,
  p_max_lost integer, p_max_rate_limited integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_attempt record;
  v_step steps%ROWTYPE;
  v_budget integer;
  v_lost integer;
  v_rate_limited integer;
  v_retry boolean;
  v_final_class text := p_error_class;
  v_final_message text := p_message;
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
  v_budget := CASE WHEN p_outcome IN ('released', 'lost', 'rate_limited') THEN v_step.budget_attempts - 1
                   ELSE v_step.budget_attempts END;
  v_lost := v_step.lost_attempts + CASE WHEN p_outcome = 'lost' THEN 1 ELSE 0 END;
  v_rate_limited := v_step.rate_limited_attempts + CASE WHEN p_outcome = 'rate_limited' THEN 1 ELSE 0 END;
  v_retry := CASE p_outcome
               WHEN 'released' THEN true
               WHEN 'lost' THEN v_lost <= p_max_lost
               WHEN 'rate_limited' THEN v_rate_limited <= p_max_rate_limited
               ELSE v_step.retryable AND p_retryable AND v_budget <= v_step.retry_limit END;
  IF NOT v_retry AND p_outcome = 'lost' THEN
    v_final_class := 'LostAttemptLimitError';
    v_final_message := format('Step %s lost its worker %s times (the cap is %s): whatever runs it dies, freezes or loses '
                              'the database every time, so it is stopped before it takes down more workers. Last: %s',
                              v_step.name, v_lost, p_max_lost, p_message);
  ELSIF NOT v_retry AND p_outcome = 'rate_limited' THEN
    v_final_class := 'RateLimitBudgetExhausted';
    v_final_message := format('Step %s was rate-limited %s times (the cap is %s); the source kept refusing. Last: %s',
                              v_step.name, v_rate_limited, p_max_rate_limited, p_message);
  END IF;
  v_delay := CASE WHEN p_outcome = 'released' THEN 0 ELSE greatest(p_delay_ms, 0) END;
  v_run_at := clock_timestamp() + make_interval(secs => v_delay / 1000);

  UPDATE steps
     SET status = CASE WHEN v_retry THEN 'retrying' ELSE 'failed' END::step_status,
         budget_attempts = v_budget,
         lost_attempts = v_lost,
         rate_limited_attempts = v_rate_limited,
         last_error = jsonb_build_object('class', v_final_class, 'message', v_final_message, 'retryable', v_retry,
                                         'outcome', p_outcome, 'at', now()),
         run_after = CASE WHEN v_retry THEN v_run_at END,
         updated_at = now()
   WHERE id = v_step.id;

  INSERT INTO task_events (task_id, name, step_name, payload)
  VALUES (v_task.id, CASE WHEN v_retry THEN 'step.retrying' ELSE 'step.failed' END, v_step.name,
          jsonb_build_object('namespace', v_task.namespace, 'taskName', v_task.name, 'taskId', v_task.id,
                             'stepName', v_step.name, 'attempt', v_attempt.attempt_number,
                             'durationMs', round(v_attempt.duration_ms), 'outcome', p_outcome,
                             'error', jsonb_build_object('class', v_final_class, 'message', v_final_message,
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
END $$;
