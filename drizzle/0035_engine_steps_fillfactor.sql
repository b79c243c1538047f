ALTER TABLE "steps" SET (fillfactor = 50);--> statement-breakpoint
DROP INDEX "steps_ready_idx";--> statement-breakpoint
CREATE INDEX "steps_ready_idx" ON "steps" USING btree ("task_created_at","position") WHERE "steps"."status" IN ('pending', 'retrying');
