/**
 * The published customer-retention matrices (schema `analytics`): one row per run that published, kept as history.
 * A row is written whole in one statement, so a reader sees a matrix complete or not at all; the retention view
 * shows the one with the newest data (lib/retention/read-model.ts).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, serial, timestamp, uniqueIndex, uuid, text } from 'drizzle-orm/pg-core';
import { analytics } from './analytics';

export const retentionSnapshots = analytics.table(
  'retention_snapshots',
  {
    id: serial('id').primaryKey(),
    taskId: uuid('task_id').notNull(),
    /** The last calendar month (YYYY-MM) the matrix counts orders in: its newest cohort and its last column. */
    throughMonth: text('through_month').notNull(),
    /** How many acquisition months (cohorts) the run asked for, ending with through_month. */
    months: integer('months').notNull(),
    /** `{ cohorts: [{ cohort, customers, retention: [1, r1, …] }] }`, as lib/retention/matrix.ts defines it. */
    matrix: jsonb('matrix').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // One publication per run: a retried publish finds its row instead of adding a second.
    uniqueIndex('retention_snapshots_task_idx').on(table.taskId),
    // The retention view's one query: the newest data, then the newest publication. Ascending on purpose: scanned
    // backwards it gives ORDER BY … DESC (NULLS FIRST, the default), which a DESC NULLS LAST index cannot serve.
    index('retention_snapshots_latest_idx').on(table.throughMonth, table.publishedAt, table.id),
    check('retention_snapshots_month_check', sql`${table.throughMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check('retention_snapshots_months_check', sql`${table.months} BETWEEN 1 AND 36`),
  ],
);
