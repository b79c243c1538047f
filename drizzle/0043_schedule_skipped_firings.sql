-- Firings the scheduler did not run, with the reason, so the delivery calendar can say why a day has no run:
-- after downtime, a missed firing whose day is older than CATCH_UP_MAX_AGE_DAYS is "too late to matter", and a
-- missed firing whose launch failed after the day's newest firing ran is recorded rather than lost. A separate
-- table, because a schedule_firings row is a launched run (its task_id is required and cascades with it).
CREATE TABLE "schedule_skipped_firings" (
	"schedule_id" uuid NOT NULL REFERENCES "schedules"("id") ON DELETE CASCADE,
	"scheduled_for" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"skipped_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("schedule_id", "scheduled_for")
);
