-- The reliability report counts a pipeline's pages per period (lib/monitoring/alert-queries.ts readPageCounts):
-- alerts of a paging severity raised since a moment. Without this index each report scans every alert ever raised.
CREATE INDEX "alerts_severity_created_idx" ON "alerts" USING btree ("severity", "created_at");
