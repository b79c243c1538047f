-- The deadline forecast (lib/scheduling/deadline.ts) pages the on-call at most once per firing: when the forecast
-- leaves less than DEADLINE_PAGE_LEAD_MINUTES, or when the deadline is missed, whichever comes first. The marker is
-- set in the transaction that raises the page, so concurrent schedulers cannot both page.
ALTER TABLE "schedule_firings" ADD COLUMN "paged_at" timestamp with time zone;
