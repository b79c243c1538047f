-- Statistics on the error class of steps' last failures, for the runs list's error-class filter (lib/engine/list-tasks.ts).
-- The planner does not use the statistics of a partial index's expression (steps_error_class_idx, drizzle/0029), so
-- without these it guesses every class is rare: for a class most failed runs share it then read every such step
-- through the index and sorted them (190 ms at 100,000 runs), where reading tasks newest first and stopping after the
-- page takes 0.3 ms. Expression statistics (PostgreSQL 14+) give it the real frequency of each class.
CREATE STATISTICS "steps_error_class_stats" ON (("last_error" ->> 'class')) FROM "steps";
