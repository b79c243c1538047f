CREATE TABLE "analytics"."retention_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"through_month" text NOT NULL,
	"months" integer NOT NULL,
	"matrix" jsonb NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retention_snapshots_month_check" CHECK ("analytics"."retention_snapshots"."through_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "retention_snapshots_months_check" CHECK ("analytics"."retention_snapshots"."months" BETWEEN 1 AND 36)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "retention_snapshots_task_idx" ON "analytics"."retention_snapshots" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "retention_snapshots_latest_idx" ON "analytics"."retention_snapshots" USING btree ("through_month","published_at","id");