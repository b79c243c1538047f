ALTER TABLE "steps" ADD COLUMN "ancestors" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "maps_over" text;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "map_max_items" integer;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "map_items" integer;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "map_parent" text;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "map_index" integer;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "map_item" jsonb;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "definition_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "pipelines" text[] DEFAULT '{}'::text[] NOT NULL;