ALTER TABLE "analytics"."dashboard_snapshots" ALTER COLUMN "published_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "state" text DEFAULT 'published' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "hold_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "reviewed_by" text;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD COLUMN "review_reason" text;--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD CONSTRAINT "dashboard_snapshots_state_check" CHECK ("analytics"."dashboard_snapshots"."state" IN ('published', 'held', 'discarded'));--> statement-breakpoint
ALTER TABLE "analytics"."dashboard_snapshots" ADD CONSTRAINT "dashboard_snapshots_kind_check" CHECK ("analytics"."dashboard_snapshots"."kind" IN ('delivery', 'backfill', 'ad_hoc'));