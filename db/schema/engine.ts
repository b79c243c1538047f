/**
 * Workflow engine tables: tasks, their steps, every attempt of a step, the event outbox,
 * per-subscriber event deliveries, operator operations and worker heartbeats. The engine's SQL lives in lib/engine.
 */
import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; read as text, compared in SQL only. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const taskStatus = pgEnum('task_status', ['pending', 'running', 'completed', 'failed', 'cancelled']);
export const stepStatus = pgEnum('step_status', [
  'pending',
  'running',
  'retrying',
  'completed',
  'failed',
  'cancelled',
  'resolved_manually',
  /** Terminal: a step upstream failed for good or was cancelled; an operator retry of that step revives it. */
  'blocked',
]);
export const attemptOutcome = pgEnum('attempt_outcome', [
  'completed',
  'failed',
  'timed_out',
  'lost',
  'released',
  'cancelled',
  /** The source said "too many requests, try again after …": spends the rate-limit budget, not the retry budget. */
  'rate_limited',
]);

/**
 * Task and step ids are time-ordered (UUIDv7, drizzle/0024): a run's rows sit together at the right edge of every
 * index keyed by them, so the pages a run touches are the same few however much history lies to their left.
 */
const timeOrderedId = (name: string) => uuid(name).primaryKey().default(sql`nightshift_uuid_v7()`);

export const tasks = pgTable(
  'tasks',
  {
    id: timeOrderedId('id'),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    status: taskStatus('status').notNull().default('pending'),
    /** The launch input after schema validation, defaults applied. */
    context: jsonb('context').notNull(),
    /** Launches with the same key yield one task (scheduler firings, client retries). */
    idempotencyKey: text('idempotency_key'),
    initiator: text('initiator').notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Steps not yet in a final state (completed, resolved manually, failed, blocked, cancelled). The transaction
     * that brings it to 0 finishes the task; keeping it on the task row makes that decision race-free.
     */
    unfinishedSteps: integer('unfinished_steps').notNull().default(0),
    /**
     * Hash of the definition the task was launched on (graph, step names, retry and timeout settings): the task runs
     * on what its rows pinned, and a worker whose same-named version differs can tell. '' for tasks older than it.
     */
    definitionHash: text('definition_hash').notNull().default(''),
  },
  (table) => [
    uniqueIndex('tasks_idempotency_key_idx').on(table.idempotencyKey),
    // The runs list pages by keyset on (created_at, id), newest first (lib/engine/list-tasks.ts): each filter it offers
    // has an index ending in those two columns, so a page, however deep, is a seek and a read of its own rows.
    index('tasks_created_at_idx').on(table.createdAt, table.id),
    index('tasks_status_idx').on(table.status, table.createdAt, table.id),
    index('tasks_pipeline_idx').on(table.namespace, table.name, table.createdAt, table.id),
    index('tasks_pipeline_version_idx').on(table.namespace, table.name, table.version, table.createdAt, table.id),
  ],
);

export const steps = pgTable(
  'steps',
  {
    id: timeOrderedId('id'),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Declaration order in the pipeline; ties between ready steps are broken by it. */
    position: integer('position').notNull(),
    description: text('description'),
    dependsOn: text('depends_on').array().notNull().default(sql`'{}'::text[]`),
    /** The reverse edges: steps that list this one in depends_on. Completion walks them to wake dependents. */
    dependents: text('dependents').array().notNull().default(sql`'{}'::text[]`),
    /**
     * Every step whose stored result this step may read: its dependencies, their dependencies, and so on (the
     * transitive closure, computed at launch). A claim hands the step these results.
     */
    ancestors: text('ancestors').array().notNull().default(sql`'{}'::text[]`),
    /** Dependencies not yet completed or resolved; a pending step with 0 here is ready to claim. */
    waitingFor: integer('waiting_for').notNull().default(0),
    /** `namespace/name@version` of the task, copied so a claim filters by pipeline without a join. */
    pipeline: text('pipeline').notNull(),
    /** The task's creation time, copied so the ready index orders oldest task first without a join. */
    taskCreatedAt: timestamp('task_created_at', { withTimezone: true }).notNull(),
    status: stepStatus('status').notNull().default('pending'),
    retryable: boolean('retryable').notNull(),
    /** Retries allowed after the first attempt of the current budget. */
    retryLimit: integer('retry_limit').notNull(),
    timeoutMs: integer('timeout_ms'),
    metadata: jsonb('metadata').notNull().default({}),
    /** Attempts ever made; the next attempt's number is this + 1. */
    attemptCount: integer('attempt_count').notNull().default(0),
    /** Attempts counted against the current retry budget; an operator retry resets it to 0. */
    budgetAttempts: integer('budget_attempts').notNull().default(0),
    /** Attempts lost to infrastructure (worker killed or frozen, database unreachable); capped by WORKER_MAX_LOST_ATTEMPTS. */
    lostAttempts: integer('lost_attempts').notNull().default(0),
    /** Attempts the source rate-limited (429 / Retry-After); capped by WORKER_MAX_RATE_LIMITED_ATTEMPTS. */
    rateLimitedAttempts: integer('rate_limited_attempts').notNull().default(0),
    /**
     * The attempt that may change this step (the fence): set by the claim, checked by completion, failure and
     * progress, so an attempt closed by timeout, lease loss or cancel can no longer write.
     */
    currentAttemptId: bigint('current_attempt_id', { mode: 'number' }),
    /** Earliest time the step may be claimed (backoff); null = at once. */
    runAfter: timestamp('run_after', { withTimezone: true }),
    result: jsonb('result'),
    /**
     * A mapped step: the ancestor whose result (a list) it maps over. When it becomes ready the engine expands it into
     * one child step per item (named `<step>[<index>]`), appends the children to its depends_on, and the step itself
     * completes with its children's results in item order once they are all done.
     */
    mapsOver: text('maps_over'),
    /** The most items a mapped step expands to; a longer list fails the step. */
    mapMaxItems: integer('map_max_items'),
    /** How many children the mapped step expanded to; null while it is not expanded. */
    mapItems: integer('map_items'),
    /** A map child: the name of its mapped step. */
    mapParent: text('map_parent'),
    /** A map child: its item's position in the list (0-based). */
    mapIndex: integer('map_index'),
    /** A map child: its item. */
    mapItem: jsonb('map_item'),
    /** The last failure: { class, message, retryable, at }. */
    lastError: jsonb('last_error'),
    progressMessage: text('progress_message'),
    progressPercent: real('progress_percent'),
    progressUpdatedAt: timestamp('progress_updated_at', { withTimezone: true }),
    resolvedNote: text('resolved_note'),
    resolvedBy: text('resolved_by'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('steps_task_name_idx').on(table.taskId, table.name),
    // The ready queue: pending and retrying steps, oldest task first; the claim skips those still waiting for a
    // dependency. Finished steps and the history of finished tasks are outside it, so a claim costs the same however
    // much history there is. waiting_for is not in the predicate so that waking a dependent is a HOT update
    // (drizzle/0035).
    index('steps_ready_idx')
      .on(table.taskCreatedAt, table.position)
      .where(sql`${table.status} IN ('pending', 'retrying')`),
    // The runs list's error-class filter: only steps that ever failed, so it stays small, and claims and completions
    // of steps that never fail do not touch it.
    index('steps_error_class_idx')
      .on(sql`(${table.lastError} ->> 'class')`, table.taskCreatedAt, table.taskId)
      .where(sql`${table.lastError} IS NOT NULL`),
    // Failure triage reads the steps failed now: as small as that list, however long the history.
    index('steps_failed_idx')
      .on(table.taskId)
      .where(sql`${table.status} = 'failed'`),
    // The steps in flight, for lease recovery: as small as the number of running steps.
    index('steps_running_idx')
      .on(table.currentAttemptId)
      .where(sql`${table.status} = 'running'`),
  ],
);

export const stepAttempts = pgTable(
  'step_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /**
     * The step's task, copied for per-task reads. Not a foreign key on purpose: every claim inserts attempts while
     * completions hold the task row, and the key-share lock of a foreign-key check on that hot row turned each
     * overlap into a MultiXact (measured: throughput 0.43× → 0.71–0.93× graphile-worker without it). Integrity
     * holds through step_id (deleting a task cascades to its steps, and from them to their attempts).
     */
    taskId: uuid('task_id').notNull(),
    stepId: uuid('step_id')
      .notNull()
      .references(() => steps.id, { onDelete: 'cascade' }),
    stepName: text('step_name').notNull(),
    attemptNumber: integer('attempt_number').notNull(),
    workerId: text('worker_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** While unfinished: the worker must renew this by heartbeat, or any worker may declare the attempt lost. */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }).notNull(),
    /** Null while running. */
    outcome: attemptOutcome('outcome'),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    errorStack: text('error_stack'),
  },
  (table) => [
    uniqueIndex('step_attempts_step_number_idx').on(table.stepId, table.attemptNumber),
    // No index on the lease or on finished_at: closing an attempt and renewing its lease then change no indexed
    // column, so both are HOT updates (the table keeps free space for them, see drizzle/0017). Expired leases are
    // found through steps_running_idx: an open attempt is always the current attempt of a running step.
    index('step_attempts_task_idx').on(table.taskId),
  ],
);

/**
 * The outbox: written in the same transaction as the state change it describes, and kept as the run's event log.
 * Dispatchers fan it out into event_deliveries (lib/engine/event-fanout.ts) and purge it after EVENT_RETENTION_DAYS.
 */
export const taskEvents = pgTable(
  'task_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /**
     * Not a foreign key, for the reason given on step_attempts.task_id: claims write step.started events while
     * completions hold the task row. Tasks are never deleted by the application, and
     * event retention deletes events by age.
     */
    taskId: uuid('task_id').notNull(),
    name: text('name').notNull(),
    stepName: text('step_name'),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('task_events_task_idx').on(table.taskId, table.id)],
);

/** One row: the outbox id up to which events have been fanned out into deliveries (the "mark"). */
export const eventFanout = pgTable(
  'event_fanout',
  {
    id: integer('id').primaryKey().default(1),
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('event_fanout_single_row', sql`${table.id} = 1`)],
);

/**
 * Outbox ids at or below the mark that were not visible when the mark passed them: a transaction that drew the id
 * may still commit it (ids are drawn at insert, not at commit), or it rolled back. Re-checked on every fan-out.
 */
export const eventFanoutGaps = pgTable('event_fanout_gaps', {
  eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
  /** pg_snapshot_xmax when the gap was seen: once every transaction below it has ended, the gap can never fill. */
  seenXmax: xid8('seen_xmax').notNull(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every subscriber any dispatcher has run, with the events it wants; the fan-out creates their deliveries. */
export const eventSubscribers = pgTable('event_subscribers', {
  name: text('name').primaryKey(),
  events: text('events').array().notNull(),
  /** Only events with a larger id are delivered to it (a subscriber that starts at the end of the outbox). */
  startAfterEventId: bigint('start_after_event_id', { mode: 'number' }).notNull().default(0),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One event for one subscriber: claimed with SKIP LOCKED, retried with back-off, delivered or dead. */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriber: text('subscriber')
      .notNull()
      .references(() => eventSubscribers.name, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => taskEvents.id, { onDelete: 'cascade' }),
    /** Copied from the event so per-task order is checked on this table's index alone. */
    taskId: uuid('task_id').notNull(),
    eventName: text('event_name').notNull(),
    /** Failed handle() calls so far (a delivered row counts its successful call too). */
    attempts: integer('attempts').notNull().default(0),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    /** Set after EVENT_MAX_DELIVERY_ATTEMPTS failures: a dead letter on /alerts until an operator resends it. */
    deadAt: timestamp('dead_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('event_deliveries_event_subscriber_idx').on(table.eventId, table.subscriber),
    // Both partial indexes hold only undone deliveries, so claims cost the same however much history there is.
    index('event_deliveries_due_idx')
      .on(table.subscriber, table.eventId)
      .where(sql`${table.deliveredAt} IS NULL AND ${table.deadAt} IS NULL`),
    index('event_deliveries_task_order_idx')
      .on(table.subscriber, table.taskId, table.eventId)
      .where(sql`${table.deliveredAt} IS NULL AND ${table.deadAt} IS NULL`),
    index('event_deliveries_dead_idx')
      .on(table.deadAt)
      .where(sql`${table.deadAt} IS NOT NULL`),
  ],
);

/** Operator operations on tasks (retry, rerun, cancel, resolve): who, why, and which steps they affected. */
/** Each attempt's log lines (lib/engine/attempt-log.ts); purged with the attempt (drizzle/0046). */
export const stepAttemptLogs = pgTable(
  'step_attempt_logs',
  {
    attemptId: bigint('attempt_id', { mode: 'number' })
      .notNull()
      .references(() => stepAttempts.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    level: text('level').notNull(),
    loggedAt: timestamp('logged_at', { withTimezone: true }).notNull(),
    message: text('message').notNull(),
    fields: jsonb('fields'),
  },
  (table) => [primaryKey({ columns: [table.attemptId, table.line] })],
);

export const taskOperations = pgTable(
  'task_operations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    operation: text('operation').notNull(),
    stepName: text('step_name'),
    actor: text('actor').notNull(),
    reason: text('reason'),
    affectedSteps: text('affected_steps').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('task_operations_task_idx').on(table.taskId, table.id)],
);

export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  concurrency: integer('concurrency').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  lastHeartbeatAt: timestamp('last_heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  /** `namespace/name@version` of every pipeline version this worker runs: a run whose version none serves is stranded. */
  pipelines: text('pipelines').array().notNull().default(sql`'{}'::text[]`),
  /** Set by a graceful stop; a worker that died keeps a stale heartbeat instead. */
  stoppedAt: timestamp('stopped_at', { withTimezone: true }),
});

export const tasksRelations = relations(tasks, ({ many }) => ({
  steps: many(steps),
  attempts: many(stepAttempts),
  events: many(taskEvents),
}));

export const stepsRelations = relations(steps, ({ one, many }) => ({
  task: one(tasks, { fields: [steps.taskId], references: [tasks.id] }),
  attempts: many(stepAttempts),
}));

export const stepAttemptsRelations = relations(stepAttempts, ({ one }) => ({
  task: one(tasks, { fields: [stepAttempts.taskId], references: [tasks.id] }),
  step: one(steps, { fields: [stepAttempts.stepId], references: [steps.id] }),
}));

export const taskEventsRelations = relations(taskEvents, ({ one }) => ({
  task: one(tasks, { fields: [taskEvents.taskId], references: [tasks.id] }),
}));

export type TaskRow = typeof tasks.$inferSelect;
export type StepRow = typeof steps.$inferSelect;
export type StepAttemptRow = typeof stepAttempts.$inferSelect;
export type TaskEventRow = typeof taskEvents.$inferSelect;
export type EventDeliveryRow = typeof eventDeliveries.$inferSelect;
export type TaskOperationRow = typeof taskOperations.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;
export type TaskStatus = (typeof taskStatus.enumValues)[number];
export type StepStatus = (typeof stepStatus.enumValues)[number];
export type AttemptOutcome = (typeof attemptOutcome.enumValues)[number];
