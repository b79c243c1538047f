-- Fewer bytes written per step (WAL and index entries), in two parts.
--
-- 1. The ready index no longer reads waiting_for in its predicate. A column a partial index's predicate reads counts
--    as indexed, so every wake-up of a dependent (waiting_for - 1, nightshift_complete_steps) was a non-HOT update: a
--    new row version on another page and a new entry in steps_pkey, steps_task_name_idx and the ready index. Now only
--    the claim and the completion (which change status) write index entries; a wake-up stays on the page. The index
--    now also holds pending steps still waiting for a dependency; the claim filters them (waiting_for = 0) on the rows
--    it reads in (task_created_at, position) order, which are the oldest unfinished tasks' own steps, so it reads a
--    few more entries per claim but still none of the finished history.
-- 2. fillfactor 50 on steps: the claim's, the wake-ups' and the completion's new row versions find room on the same
--    page, so HOT can apply and PostgreSQL logs only the changed middle of the row instead of all of it (the arrays
--    and texts at its start are the bulk). Applies to pages written from now on; existing rows stay where they are.
ALTER TABLE "steps" SET (fillfactor = 50);--> statement-breakpoint
DROP INDEX "steps_ready_idx";--> statement-breakpoint
CREATE INDEX "steps_ready_idx" ON "steps" USING btree ("task_created_at","position") WHERE "steps"."status" IN ('pending', 'retrying');
