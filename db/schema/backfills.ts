/**
 * Backfills: one pipeline run per day over a range of days, at most `max_parallel` of them running at once.
 *
 * Days that wait for a slot are rows here, not tasks: a waiting day holds no step in the engine's ready queue,
 * so it never occupies a worker. The promoter (lib/backfills/promote.ts) launches the oldest waiting days when
 * fewer than `max_parallel` of the backfill's runs are unfinished, under a row lock on the backfill.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tasks } from './engine';

export const backfills = pgTable(
  'backfills',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    namespace: text('namespace').notNull(),
    pipelineName: text('pipeline_name').notNull(),
    /** First and last data day (a run for day D carries the schedule's window ending on D). */
    startDate: date('start_date').notNull(),
    endDate: date('end_date').notNull(),
    maxParallel: integer('max_parallel').notNull(),
    rebuildPublished: boolean('rebuild_published').notNull().default(false),
    reason: text('reason').notNull(),
    /** Who asked: a user's label, an API token, or `schedule:<name>` for the scheduler's catch-up. */
    requestedBy: text('requested_by').notNull(),
    /** 'operator' (form or API) or 'catch_up' (the scheduler after downtime). */
    origin: text('origin').notNull(),
    /** 'active' while days wait or run, 'finished' when every day is done, 'cancelled'. */
    status: text('status').notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    // Two identical requests at once converge on one backfill: at most one active backfill per pipeline and range.
    uniqueIndex('backfills_active_range_idx')
      .on(table.namespace, table.pipelineName, table.startDate, table.endDate)
      .where(sql`${table.status} = 'active'`),
    index('backfills_created_idx').on(table.createdAt),
    index('backfills_active_idx').on(table.createdAt).where(sql`${table.status} = 'active'`),
    check('backfills_status_check', sql`${table.status} IN ('active', 'finished', 'cancelled')`),
    check('backfills_origin_check', sql`${table.origin} IN ('operator', 'catch_up')`),
    check('backfills_range_check', sql`${table.startDate} <= ${table.endDate}`),
    check('backfills_parallel_check', sql`${table.maxParallel} BETWEEN 1 AND 32`),
  ],
);

/**
 * One row per day of a backfill. `state`: 'waiting' for a slot (with a task: its failed steps wait to be retried),
 * 'launched' (its run's own status says the rest), 'skipped' (already published), 'cancelled' before it ran.
 */
export const backfillDays = pgTable(
  'backfill_days',
  {
    backfillId: uuid('backfill_id')
      .notNull()
      .references(() => backfills.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    windowStart: date('window_start').notNull(),
    windowEnd: date('window_end').notNull(),
    state: text('state').notNull().default('waiting'),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    /** The published snapshot that made this day skipped. */
    skippedSnapshotId: integer('skipped_snapshot_id'),
    launchedAt: timestamp('launched_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.backfillId, table.day] }),
    uniqueIndex('backfill_days_task_idx').on(table.taskId),
    // The calendar reads days by date across backfills.
    index('backfill_days_window_end_idx').on(table.windowEnd),
    check('backfill_days_state_check', sql`${table.state} IN ('waiting', 'launched', 'skipped', 'cancelled')`),
  ],
);

export type Backfill = typeof backfills.$inferSelect;
export type BackfillDay = typeof backfillDays.$inferSelect;
