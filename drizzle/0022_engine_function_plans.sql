-- The engine's functions plan once per connection and never scan a table.
--
-- Every statement in these functions reaches its rows by key (an attempt id, a step id, a task id, the ready index).
-- Two planner defaults worked against that, measured with auto_explain on the throughput benchmark:
--  * Custom plans: PL/pgSQL planned each statement again on every call (its parameters are arrays, so the generic
--    plan never looked cheaper), and planning was 12% of the server's CPU.
--  * Sequential scans: on a young database, or right after a backlog was enqueued, the statistics describe small
--    tables, so the planner joined the batch's ids to a full scan of tasks and step_attempts (2,558 scans reading
--    13.5 million attempt rows for 10,000 steps). A generic plan built on such statistics would keep scanning for the
--    life of the connection while the tables grow.
-- So each function runs with a generic plan (built once per connection) and sequential scans priced out: the index
-- paths are the only plans left, and they cost the same however large the history grows. Throughput went from
-- 0.42-0.47x to 0.8-1.0x graphile-worker (docs/BENCHMARKS.md). SET on a function applies to the statements it runs and
-- is restored when it returns; nothing else in the session is affected.
ALTER FUNCTION nightshift_claim_steps(text, text[], integer, double precision)
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION nightshift_complete_steps(bigint[], jsonb, text[])
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION nightshift_fail_step(bigint, attempt_outcome, text, text, text, boolean, double precision, boolean, integer, integer)
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION nightshift_finish_steps(uuid, integer)
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION nightshift_start_task(uuid)
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION nightshift_settle_task(uuid)
  SET enable_seqscan = off SET plan_cache_mode = force_generic_plan;
