-- Each attempt's own log (lib/engine/attempt-log.ts): what the handler logged through ctx.logger and its progress
-- messages, with levels and times, and on failure the error with its cause chain — at most 1,000 lines / 256 kB per
-- attempt, then one truncation marker. The rows go with their attempt (ON DELETE CASCADE), so the retention of
-- finished attempts (EVENT_RETENTION_DAYS) purges them too.
CREATE TABLE "step_attempt_logs" (
	"attempt_id" bigint NOT NULL REFERENCES "step_attempts"("id") ON DELETE CASCADE,
	"line" integer NOT NULL,
	"level" text NOT NULL,
	"logged_at" timestamp with time zone NOT NULL,
	"message" text NOT NULL,
	"fields" jsonb,
	PRIMARY KEY ("attempt_id", "line")
);
