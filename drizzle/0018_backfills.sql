CREATE TABLE "backfill_days" (
	"backfill_id" uuid NOT NULL,
	"day" date NOT NULL,
	"window_start" date NOT NULL,
	"window_end" date NOT NULL,
	"state" text DEFAULT 'waiting' NOT NULL,
	"task_id" uuid,
	"skipped_snapshot_id" integer,
	"launched_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backfill_days_backfill_id_day_pk" PRIMARY KEY("backfill_id","day"),
	CONSTRAINT "backfill_days_state_check" CHECK ("backfill_days"."state" IN ('waiting', 'launched', 'skipped', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "backfills" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"namespace" text NOT NULL,
	"pipeline_name" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"max_parallel" integer NOT NULL,
	"force_refresh" boolean DEFAULT false NOT NULL,
	"reason" text NOT NULL,
	"requested_by" text NOT NULL,
	"origin" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "backfills_status_check" CHECK ("backfills"."status" IN ('active', 'finished', 'cancelled')),
	CONSTRAINT "backfills_origin_check" CHECK ("backfills"."origin" IN ('operator', 'catch_up')),
	CONSTRAINT "backfills_range_check" CHECK ("backfills"."start_date" <= "backfills"."end_date"),
	CONSTRAINT "backfills_parallel_check" CHECK ("backfills"."max_parallel" BETWEEN 1 AND 32)
);
--> statement-breakpoint
ALTER TABLE "backfill_days" ADD CONSTRAINT "backfill_days_backfill_id_backfills_id_fk" FOREIGN KEY ("backfill_id") REFERENCES "public"."backfills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfill_days" ADD CONSTRAINT "backfill_days_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "backfill_days_task_idx" ON "backfill_days" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "backfill_days_window_end_idx" ON "backfill_days" USING btree ("window_end");--> statement-breakpoint
CREATE UNIQUE INDEX "backfills_active_range_idx" ON "backfills" USING btree ("namespace","pipeline_name","start_date","end_date") WHERE "backfills"."status" = 'active';--> statement-breakpoint
CREATE INDEX "backfills_created_idx" ON "backfills" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "backfills_active_idx" ON "backfills" USING btree ("created_at") WHERE "backfills"."status" = 'active';