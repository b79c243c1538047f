/**
 * What keeps a finished run past RUN_RETENTION_DAYS: the rows other modules stored that still need the run. The
 * engine purges runs whole (lib/engine/retention.ts) and knows nothing of these tables; this composition root tells
 * it. Each condition reaches its rows through an index on the task id, since it is checked for every candidate run.
 *
 * What is not a hold, on purpose:
 *  - schedule_firings and resolved alerts go with their run (cascading foreign keys): a firing older than the
 *    retention is past the status page's 90-day history, and the default (100 days) outlasts it.
 *  - backfill_days of a finished or cancelled backfill keep the day and lose the link (ON DELETE SET NULL).
 *  - A snapshot an operator discarded is no longer anybody's data.
 */
import type { RunHold } from '@/lib/engine';

export const RUN_HOLDS: readonly RunHold[] = [
  {
    // Published (the dashboard's current view or its history) or held for review: the run explains those numbers,
    // and its analytics rows are read by its task id. One run per publication, so this is a small set.
    name: 'a published or held dashboard snapshot',
    keepsRun: `EXISTS (SELECT 1 FROM analytics.dashboard_snapshots s WHERE s.task_id = t.id AND s.state IN ('published', 'held'))`,
  },
  {
    name: 'a published retention matrix',
    keepsRun: `EXISTS (SELECT 1 FROM analytics.retention_snapshots r WHERE r.task_id = t.id)`,
  },
  {
    // The promoter counts an active backfill's unfinished runs and retries its failed days through their tasks.
    name: 'a day of an active backfill',
    keepsRun: `EXISTS (SELECT 1 FROM backfill_days d JOIN backfills b ON b.id = d.backfill_id WHERE d.task_id = t.id AND b.status = 'active')`,
  },
  {
    // An alert nobody resolved yet would vanish with its run (the foreign key cascades).
    name: 'an open or acknowledged alert',
    keepsRun: `EXISTS (SELECT 1 FROM alerts a WHERE a.task_id = t.id AND a.status <> 'resolved')`,
  },
];
