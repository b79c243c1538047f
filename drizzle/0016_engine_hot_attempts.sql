DROP INDEX "step_attempts_open_lease_idx";--> statement-breakpoint
CREATE INDEX "steps_running_idx" ON "steps" USING btree ("current_attempt_id") WHERE "steps"."status" = 'running';