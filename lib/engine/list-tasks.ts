/**
 * The task list behind the console's runs list: newest first, paged by keyset, filtered, with step counts and a
 * total whose cost does not grow with history.
 *
 * Keyset on (created_at, id), not OFFSET: a page seeks to its cursor in an index and reads only its own rows, so the
 * ten-thousandth page costs what the first does, and runs launched while someone pages arrive above the cursor
 * instead of pushing every later page down by one (no duplicates, no gaps). created_at rather than the time-ordered
 * id alone: ids made before drizzle/0024 are random (v4), and created_at is what the list has always shown and sorted
 * by; id breaks ties between runs launched in one transaction (same now()).
 */
import { and, asc, desc, eq, getTableColumns, gte, inArray, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { steps, tasks } from '@/db/schema';
import type { TaskRow } from '@/db/schema';
import type { TaskStatus } from './types';

/** A position in the list: a task's creation time to the microsecond (ISO 8601, UTC) and its id. */
export interface TaskCursor {
  createdAt: string;
  id: string;
}

export interface ListTasksFilters {
  status?: TaskStatus | TaskStatus[];
  namespace?: string;
  name?: string;
  version?: string;
  /** Inclusive. */
  createdFrom?: Date;
  /** Exclusive, so a day is [its midnight, the next midnight). */
  createdBefore?: Date;
  /** 1 to 32 lower-case hex digits (no dashes): the tasks whose id starts with them; 32 digits is one id. */
  idPrefix?: string;
  /** Tasks with a step whose last failure (steps.last_error.class) had this class. */
  errorClass?: string;
  /** The page after this position in the list (older tasks); at most one of `after` and `before`. */
  after?: TaskCursor;
  /** The page before this position in the list (newer tasks). */
  before?: TaskCursor;
  /** 1..200, default 50. */
  limit?: number;
}

export type TaskSummary = TaskRow & { stepsTotal: number; stepsDone: number; cursor: TaskCursor };

/** How many tasks match the filters: counted when the page saw them all, otherwise the planner's estimate. */
export interface TaskTotal {
  count: number;
  exact: boolean;
}

export interface TaskPage {
  tasks: TaskSummary[];
  /** Cursor for the page of newer tasks, null when this page starts at the newest. */
  newer: TaskCursor | null;
  /** Cursor for the page of older tasks, null when this page ends at the oldest. */
  older: TaskCursor | null;
  total: TaskTotal;
}

const ID_PREFIX = /^[0-9a-f]{1,32}$/;

/** The uuid range holding every id that starts with the hex digits: a range scan of tasks_pkey. */
function idRange(prefix: string): [string, string] {
  if (!ID_PREFIX.test(prefix)) throw new Error(`idPrefix must be 1 to 32 lower-case hex digits, got ${JSON.stringify(prefix)}`);
  const asUuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return [asUuid(prefix.padEnd(32, '0')), asUuid(prefix.padEnd(32, 'f'))];
}

/**
 * Spelled as steps_error_class_idx's expression (drizzle/0029) so the planner can use that index and the statistics
 * of drizzle/0030. No `last_error IS NOT NULL` beside it: the equality implies it (the planner proves the partial
 * index's predicate from it), and stated again it would be counted as a second, independent filter and shrink the
 * estimate by the share of steps that never failed.
 */
const errorClassIs = (lastError: SQL, errorClass: string) => sql`(${lastError} ->> 'class') = ${errorClass}`;

/** The filters as one condition; the cursor is not part of it, so the total counts the whole filtered list. */
function filterCondition(filters: ListTasksFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.status !== undefined) {
    conditions.push(inArray(tasks.status, Array.isArray(filters.status) ? filters.status : [filters.status]));
  }
  if (filters.namespace !== undefined) conditions.push(eq(tasks.namespace, filters.namespace));
  if (filters.name !== undefined) conditions.push(eq(tasks.name, filters.name));
  if (filters.version !== undefined) conditions.push(eq(tasks.version, filters.version));
  if (filters.createdFrom !== undefined) conditions.push(gte(tasks.createdAt, filters.createdFrom));
  if (filters.createdBefore !== undefined) conditions.push(sql`${tasks.createdAt} < ${filters.createdBefore}`);
  if (filters.idPrefix !== undefined) {
    const [low, high] = idRange(filters.idPrefix);
    conditions.push(filters.idPrefix.length === 32 ? eq(tasks.id, low) : and(gte(tasks.id, low), lte(tasks.id, high))!);
  }
  if (filters.errorClass !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM steps s WHERE s.task_id = ${tasks.id} AND ${errorClassIs(sql`s.last_error`, filters.errorClass)})`);
  }
  return conditions.length > 0 ? and(...conditions) : undefined;
}

// The cursor's time is compared as text cast to timestamptz, not as a JS Date: created_at has microseconds, a Date
// only milliseconds, and a rounded cursor would skip or repeat the runs of the same millisecond.
const cursorAt = sql<string>`to_char(${tasks.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const olderThan = (cursor: TaskCursor) => sql`(${tasks.createdAt}, ${tasks.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`;
const newerThan = (cursor: TaskCursor) => sql`(${tasks.createdAt}, ${tasks.id}) > (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`;

const pageLimit = (filters: ListTasksFilters) => Math.min(Math.max(filters.limit ?? 50, 1), 200);

/**
 * The query for one page: the page is chosen (LIMIT) in a subquery and step counts are a lateral aggregate over just
 * its rows, so no task outside the page has its steps counted, in one round trip. Exported for the plan tests.
 */
export function taskPageQuery(db: DbHandle, filters: ListTasksFilters) {
  if (filters.after && filters.before) throw new Error('listTasks takes after or before, not both');
  const backwards = filters.before !== undefined;
  const cursorCondition = filters.after ? olderThan(filters.after) : filters.before ? newerThan(filters.before) : undefined;
  const page = db.db
    .select({ ...getTableColumns(tasks), cursorAt: cursorAt.as('cursor_at') })
    .from(tasks)
    .where(and(filterCondition(filters), cursorCondition))
    .orderBy(...(backwards ? [asc(tasks.createdAt), asc(tasks.id)] : [desc(tasks.createdAt), desc(tasks.id)]))
    // One row more than the page tells whether another page follows in this direction, without counting.
    .limit(pageLimit(filters) + 1)
    .as('page');
  const counts = db.db
    .select({
      stepsTotal: sql<number>`count(*)::int`.as('steps_total'),
      stepsDone: sql<number>`(count(*) FILTER (WHERE ${steps.status} IN ('completed', 'resolved_manually')))::int`.as('steps_done'),
    })
    .from(steps)
    .where(eq(steps.taskId, page.id))
    .as('counts');
  return db.db
    .select()
    .from(page)
    .crossJoinLateral(counts)
    .orderBy(...(backwards ? [asc(page.createdAt), asc(page.id)] : [desc(page.createdAt), desc(page.id)]));
}

/** One page, newest first, with cursors to its neighbours and the total of the filtered list. */
export async function listTasks(db: DbHandle, filters: ListTasksFilters = {}): Promise<TaskPage> {
  const limit = pageLimit(filters);
  const backwards = filters.before !== undefined;
  const rows = await taskPageQuery(db, filters);

  const more = rows.length > limit;
  const kept = (more ? rows.slice(0, limit) : rows).map(({ page: { cursorAt: at, ...task }, counts: { stepsTotal, stepsDone } }) => ({
    ...task,
    stepsTotal,
    stepsDone,
    cursor: { createdAt: at, id: task.id },
  }));
  const summaries = backwards ? kept.reverse() : kept;
  const first = summaries[0]?.cursor ?? null;
  const last = summaries.at(-1)?.cursor ?? null;
  // Reached through a cursor, the page has neighbours on the cursor's side (the rows the cursor came from); when
  // those were purged meanwhile, that link shows an empty page that says so.
  const newer = backwards ? (more ? first : null) : filters.after ? (first ?? filters.after) : null;
  const older = backwards ? (last ?? filters.before ?? null) : more ? last : null;
  const total = filters.after || filters.before || more ? await estimateTotal(db, filters, summaries.length + (more ? 1 : 0)) : { count: summaries.length, exact: true };
  return { tasks: summaries, newer, older, total };
}

/**
 * The total is an estimate rather than count(*), which reads every matching row on every request (all of history
 * for the unfiltered list: 33 ms at a million freshly vacuumed runs, more once writes outpace the visibility map;
 * every failing step for an error class), and rather than a maintained counter,
 * which would put one hot row under every launch and status change and still could not answer arbitrary filters
 * (an error class, a date range, an id prefix). The planner's row estimate for the filtered query costs a plan, not
 * a scan: for the unfiltered list it is pg_class.reltuples scaled to the table's current size, for filters it uses
 * the column statistics. The list shows it as "about N runs"; when the first page holds every match, the count is
 * exact and is shown as such.
 */
async function estimateTotal(db: DbHandle, filters: ListTasksFilters, atLeast: number): Promise<TaskTotal> {
  const { errorClass, ...taskFilters } = filters;
  const runs = await plannedRows(db, db.db.select({ one: sql`1` }).from(tasks).where(filterCondition(taskFilters)));
  if (errorClass === undefined) return { count: Math.max(runs, atLeast), exact: false };
  // The EXISTS form's estimate rests on the number of distinct task ids in steps, which ANALYZE's sample gets badly
  // wrong (16× too few at 100,000 runs); the join's rests on the class's frequency (drizzle/0030). It counts a run
  // once per step that failed with the class, so it is capped by the runs the other filters allow.
  const failingSteps = await plannedRows(
    db,
    db.db
      .select({ one: sql`1` })
      .from(tasks)
      .innerJoin(steps, and(eq(steps.taskId, tasks.id), errorClassIs(sql`${steps.lastError}`, errorClass)))
      .where(filterCondition(taskFilters)),
  );
  return { count: Math.max(Math.min(runs, failingSteps), atLeast), exact: false };
}

async function plannedRows(db: DbHandle, query: SQLWrapper): Promise<number> {
  const explained = await db.db.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(sql`EXPLAIN (FORMAT JSON) ${query}`);
  return Math.round(explained.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}
