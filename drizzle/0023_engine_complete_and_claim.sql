/*
 * nightshift_complete_and_claim: a worker's completion batch and its next claim in one transaction.
 *
 * Why: a busy worker refills the slot a completion frees at once, so every completion used to be followed by a claim
 * of its own — two transactions, two commits (each a WAL flush), two round trips per refill. Here the completion
 * (nightshift_complete_steps, unchanged) and the claim (nightshift_claim_steps, unchanged) run back to back in one
 * transaction, so the claim rides on the completion's commit.
 *
 * How much it claims: at most p_claim_limit (the worker's free slots, the batch's own included). With p_claim_any
 * the worker knows more work may be ready (it was told so, or its last claim came back full), so it claims up to
 * the limit; otherwise it claims only as many as this batch made ready — a worker is never woken to rescan when
 * nothing became ready.
 *
 * Correctness is that of its two parts. The completion locks its task rows first, in task-id order, as before. The
 * claim never waits for a lock (its steps and its task starts use SKIP LOCKED; a task row this transaction already
 * holds is its own), so adding it after the completion cannot create a lock cycle; the task rows are only held a
 * little longer, until this transaction commits.
 *
 * Returns the completion answers first (completed_attempt_id, ready: as nightshift_complete_steps answers them), then
 * one row per claimed step (the columns of nightshift_claim_steps, completed_attempt_id null).
 */
CREATE FUNCTION nightshift_complete_and_claim(
  p_attempt_ids bigint[], p_results jsonb, p_summaries text[],
  p_worker_id text, p_pipelines text[], p_claim_limit integer, p_claim_any boolean, p_lease_ms double precision)
RETURNS TABLE (completed_attempt_id bigint, ready integer,
               attempt_id bigint, attempt_number integer, budget_attempts integer, step_id uuid, step_name text,
               task_id uuid, namespace text, pipeline_name text, version text, context jsonb, results jsonb)
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
                      NULL::text, NULL::text, NULL::text, NULL::jsonb, NULL::jsonb
                 FROM unnest(v_ids, v_ready) AS i(id, ready);

  v_limit := CASE WHEN p_claim_any THEN p_claim_limit
                  ELSE least(p_claim_limit, (SELECT coalesce(sum(r), 0)::integer FROM unnest(v_ready) AS r WHERE r > 0)) END;
  IF v_limit > 0 THEN
    RETURN QUERY SELECT NULL::bigint, NULL::integer, c.attempt_id, c.attempt_number, c.budget_attempts, c.step_id,
                        c.step_name, c.task_id, c.namespace, c.pipeline_name, c.version, c.context, c.results
                   FROM nightshift_claim_steps(p_worker_id, p_pipelines, v_limit, p_lease_ms) AS c;
  END IF;
END $$;
