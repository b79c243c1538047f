CREATE TYPE "public"."attempt_outcome" AS ENUM('completed', 'failed', 'timed_out', 'lost', 'released', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."step_status" AS ENUM('pending', 'running', 'retrying', 'completed', 'failed', 'cancelled', 'resolved_manually');--> statement-breakpoint
CREATE TYPE "public"."task_status" AS ENUM('pending', 'running', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "event_cursors" (
	"subscriber" text PRIMARY KEY NOT NULL,
	"last_txid" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"owner_id" text,
	"owned_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "step_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"step_id" uuid NOT NULL,
	"step_name" text NOT NULL,
	"attempt_number" integer NOT NULL,
	"worker_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"lease_expires_at" timestamp with time zone NOT NULL,
	"outcome" "attempt_outcome",
	"error_class" text,
	"error_message" text,
	"error_stack" text
);
--> statement-breakpoint
CREATE TABLE "steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"description" text,
	"depends_on" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "step_status" DEFAULT 'pending' NOT NULL,
	"retryable" boolean NOT NULL,
	"retry_limit" integer NOT NULL,
	"timeout_ms" integer,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"budget_attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone,
	"result" jsonb,
	"last_error" jsonb,
	"progress_message" text,
	"progress_percent" real,
	"progress_updated_at" timestamp with time zone,
	"resolved_note" text,
	"resolved_by" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"task_id" uuid NOT NULL,
	"name" text NOT NULL,
	"step_name" text,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"step_name" text,
	"actor" text NOT NULL,
	"reason" text,
	"affected_steps" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"status" "task_status" DEFAULT 'pending' NOT NULL,
	"context" jsonb NOT NULL,
	"idempotency_key" text,
	"initiator" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"concurrency" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "step_attempts" ADD CONSTRAINT "step_attempts_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "step_attempts" ADD CONSTRAINT "step_attempts_step_id_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."steps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_operations" ADD CONSTRAINT "task_operations_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "step_attempts_step_number_idx" ON "step_attempts" USING btree ("step_id","attempt_number");--> statement-breakpoint
CREATE INDEX "step_attempts_task_idx" ON "step_attempts" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "step_attempts_open_lease_idx" ON "step_attempts" USING btree ("lease_expires_at") WHERE "step_attempts"."finished_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "steps_task_name_idx" ON "steps" USING btree ("task_id","name");--> statement-breakpoint
CREATE INDEX "steps_claimable_idx" ON "steps" USING btree ("run_after") WHERE "steps"."status" IN ('pending', 'retrying');--> statement-breakpoint
CREATE INDEX "task_events_txid_idx" ON "task_events" USING btree ("txid","id");--> statement-breakpoint
CREATE INDEX "task_events_task_idx" ON "task_events" USING btree ("task_id","id");--> statement-breakpoint
CREATE INDEX "task_operations_task_idx" ON "task_operations" USING btree ("task_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_idempotency_key_idx" ON "tasks" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "tasks_created_at_idx" ON "tasks" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_pipeline_idx" ON "tasks" USING btree ("namespace","name","created_at");