CREATE TYPE "public"."alert_severity" AS ENUM('critical', 'high', 'medium');--> statement-breakpoint
CREATE TYPE "public"."alert_status" AS ENUM('open', 'acknowledged', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."message_status" AS ENUM('pending', 'delivered', 'dead');--> statement-breakpoint
CREATE TYPE "public"."message_target" AS ENUM('slack', 'pagerduty');--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"dedup_key" text NOT NULL,
	"severity" "alert_severity" NOT NULL,
	"status" "alert_status" DEFAULT 'open' NOT NULL,
	"task_id" uuid,
	"step_name" text,
	"title" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_event_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone,
	"resolved_reason" text
);
--> statement-breakpoint
CREATE TABLE "outgoing_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"alert_id" bigint,
	"target" "message_target" NOT NULL,
	"destination" text NOT NULL,
	"ordering_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" "message_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo"."pagerduty_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_action" text NOT NULL,
	"dedup_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedule_firings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"schedule_id" uuid NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"task_id" uuid NOT NULL,
	"deadline_at" timestamp with time zone,
	"at_risk_alerted_at" timestamp with time zone,
	"missed_alerted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"namespace" text NOT NULL,
	"pipeline_name" text NOT NULL,
	"cron_expression" text NOT NULL,
	"time_zone" text NOT NULL,
	"input_template" jsonb NOT NULL,
	"deadline_local_time" text,
	"paused" boolean DEFAULT false NOT NULL,
	"active_from" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_messages" ADD CONSTRAINT "outgoing_messages_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_firings" ADD CONSTRAINT "schedule_firings_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_firings" ADD CONSTRAINT "schedule_firings_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_unresolved_dedup_idx" ON "alerts" USING btree ("dedup_key") WHERE "alerts"."status" <> 'resolved';--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_source_event_idx" ON "alerts" USING btree ("source_event_id","kind");--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "alerts" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "alerts_task_idx" ON "alerts" USING btree ("task_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_messages_idempotency_idx" ON "outgoing_messages" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "outgoing_messages_due_idx" ON "outgoing_messages" USING btree ("next_attempt_at") WHERE "outgoing_messages"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outgoing_messages_ordering_idx" ON "outgoing_messages" USING btree ("ordering_key","id");--> statement-breakpoint
CREATE INDEX "outgoing_messages_status_idx" ON "outgoing_messages" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "schedule_firings_slot_idx" ON "schedule_firings" USING btree ("schedule_id","scheduled_for");--> statement-breakpoint
CREATE INDEX "schedule_firings_task_idx" ON "schedule_firings" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "schedule_firings_watch_idx" ON "schedule_firings" USING btree ("deadline_at") WHERE "schedule_firings"."missed_alerted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "schedules_name_idx" ON "schedules" USING btree ("name");