DROP INDEX "tasks_created_at_idx";--> statement-breakpoint
DROP INDEX "tasks_status_idx";--> statement-breakpoint
DROP INDEX "tasks_pipeline_idx";--> statement-breakpoint
CREATE INDEX "steps_error_class_idx" ON "steps" USING btree (("last_error" ->> 'class'),"task_created_at","task_id") WHERE "steps"."last_error" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_pipeline_version_idx" ON "tasks" USING btree ("namespace","name","version","created_at","id");--> statement-breakpoint
CREATE INDEX "tasks_created_at_idx" ON "tasks" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "tasks_pipeline_idx" ON "tasks" USING btree ("namespace","name","created_at","id");