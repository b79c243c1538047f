-- Failure triage (/failures, lib/console/failures.ts) reads every step that is failed now. Without an index that is a
-- scan of all steps ever run, growing with history; this one holds only the failed steps, so it stays as small as
-- the triage list itself (a retried or resolved step leaves it).
CREATE INDEX "steps_failed_idx" ON "steps" USING btree ("task_id") WHERE "steps"."status" = 'failed';
