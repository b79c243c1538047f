ALTER TYPE "public"."attempt_outcome" ADD VALUE 'rate_limited';--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "lost_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "rate_limited_attempts" integer DEFAULT 0 NOT NULL;