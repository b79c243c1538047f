ALTER TABLE "step_attempts" DROP CONSTRAINT "step_attempts_task_id_tasks_id_fk";
--> statement-breakpoint
ALTER TABLE "task_events" DROP CONSTRAINT "task_events_task_id_tasks_id_fk";
