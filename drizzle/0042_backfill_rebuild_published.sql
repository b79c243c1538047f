-- The backfill's own option, named for what it does: also rebuild days that are already published. It was called
-- force_refresh after customer_analytics' input field, which generic code must not name (tests/architecture).
ALTER TABLE "backfills" RENAME COLUMN "force_refresh" TO "rebuild_published";
