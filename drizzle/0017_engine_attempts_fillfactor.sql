-- Free space in every page of step_attempts, so closing an attempt and renewing its lease (neither changes an indexed
-- column, see 0016) stay on the page as HOT updates instead of writing a new entry into every index. Applies to
-- pages written from now on.
ALTER TABLE "step_attempts" SET (fillfactor = 70);
