-- The public status page's figures computed in the database (lib/status/read-facts.ts), so the page never loads a
-- pipeline's 92 days of runs and attempts into Node.
--
-- status_candidate_runs: the status derivation (lib/status/derive.ts) only ever looks at the runs of one delivery
-- attempt — the runs of one input (context) created on one local day, launched by a backfill or not, since those
-- decide a run's kind (lib/delivery/definition.ts) — through "any of them" and "the first/last of them" questions:
-- is any active, held or retrying, which failed first, which was created last, which finished last. One run per
-- question per group answers them all identically, so only those (at most six per group) leave the database, and
-- the caller reads their step progress through the engine's read API. Ties break by creation then id, as the
-- derivation's stable sorts over runs listed oldest first do.
CREATE FUNCTION "status_candidate_runs"(p_namespace text, p_name text, p_since timestamptz, p_time_zone text)
RETURNS SETOF uuid
LANGUAGE sql STABLE
AS $$
  WITH run AS (
    SELECT t.id, t.status, t.context, t.created_at, t.completed_at,
           (t.created_at AT TIME ZONE p_time_zone)::date AS local_day,
           t.id IN (SELECT b.task_id FROM backfill_days b WHERE b.task_id IS NOT NULL) AS from_backfill,
           t.id IN (SELECT d.task_id FROM analytics.dashboard_snapshots d WHERE d.state = 'held') AS held,
           -- Only an unfinished run has a step waiting to retry: finished runs skip the probe.
           t.status IN ('pending', 'running') AND EXISTS (SELECT 1 FROM steps s WHERE s.task_id = t.id AND s.status = 'retrying') AS retrying
      FROM tasks t
     WHERE t.namespace = p_namespace AND t.name = p_name AND t.created_at >= p_since
  ), per_attempt AS (
    SELECT (array_agg(id ORDER BY created_at DESC, id))[1] AS newest,
           (array_agg(id ORDER BY coalesce(completed_at, created_at) DESC, created_at, id)
              FILTER (WHERE status NOT IN ('pending', 'running')))[1] AS last_finished,
           (array_agg(id ORDER BY coalesce(completed_at, created_at), created_at, id)
              FILTER (WHERE status IN ('failed', 'cancelled')))[1] AS first_gave_up,
           (array_agg(id) FILTER (WHERE status IN ('pending', 'running')))[1] AS some_active,
           (array_agg(id) FILTER (WHERE held))[1] AS some_held,
           (array_agg(id) FILTER (WHERE retrying))[1] AS some_retrying
      FROM run
     -- Grouped by the input's text (byte order): equal inputs have equal text, and sorting text is far cheaper than
     -- comparing jsonb. Inputs equal as jsonb but not as text only split a group, which never changes an answer.
     GROUP BY context::text COLLATE "C", local_day, from_backfill
  )
  SELECT DISTINCT candidate
    FROM per_attempt
   CROSS JOIN LATERAL unnest(ARRAY[newest, last_finished, first_gave_up, some_active, some_held, some_retrying]) AS candidate
   WHERE candidate IS NOT NULL
$$;
--> statement-breakpoint
-- status_automatic_recovery: of the failed attempts (failed, timed out, lost) of the pipeline's runs created since
-- p_since, how many a later attempt of the same step completed with no operator operation on that step in between
-- (recovered), and how many have a known fate (fixed, or their run has finished). One pass over the period's
-- finished attempts: each failure is joined by hash to the completed attempts of its step (usually none or one),
-- the lowest-numbered later one is its fix; only fixed failures look for an operator's operation.
CREATE FUNCTION "status_automatic_recovery"(p_namespace text, p_name text, p_since timestamptz)
RETURNS TABLE (recovered integer, known integer)
LANGUAGE sql STABLE
AS $$
  WITH attempt AS MATERIALIZED (
    SELECT a.task_id, a.step_name, a.attempt_number, a.outcome, a.started_at, a.finished_at, t.status IN ('pending', 'running') AS run_active
      FROM tasks t
      JOIN step_attempts a ON a.task_id = t.id
     WHERE t.namespace = p_namespace AND t.name = p_name AND t.created_at >= p_since
       AND a.outcome IN ('completed', 'failed', 'timed_out', 'lost') AND a.finished_at IS NOT NULL
  ), failure AS (
    SELECT f.task_id, f.step_name, f.finished_at, f.run_active,
           (array_agg(c.started_at ORDER BY c.attempt_number) FILTER (WHERE c.attempt_number IS NOT NULL))[1] AS fixed_started_at
      FROM attempt f
      LEFT JOIN attempt c ON c.task_id = f.task_id AND c.step_name = f.step_name AND c.outcome = 'completed' AND c.attempt_number > f.attempt_number
     WHERE f.outcome <> 'completed'
     GROUP BY f.task_id, f.step_name, f.attempt_number, f.finished_at, f.run_active
  )
  SELECT (count(*) FILTER (
            WHERE f.fixed_started_at IS NOT NULL
              AND NOT EXISTS (
                SELECT 1 FROM task_operations o
                 WHERE o.task_id = f.task_id AND (o.step_name = f.step_name OR f.step_name = ANY (o.affected_steps))
                   AND o.created_at >= f.finished_at AND o.created_at <= f.fixed_started_at)))::int,
         (count(*) FILTER (WHERE f.fixed_started_at IS NOT NULL OR NOT f.run_active))::int
    FROM failure f
$$;
--> statement-breakpoint
-- The status page's latest delivery: the newest publications by window end (lib/status/read-facts.ts).
CREATE INDEX "dashboard_snapshots_published_window_end_idx" ON "analytics"."dashboard_snapshots" USING btree ("window_end" DESC, "published_at" DESC) WHERE "state" = 'published';
