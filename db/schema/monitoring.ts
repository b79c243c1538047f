/**
 * Monitoring and scheduling tables: alerts (the review queue and incident record), the outbox of
 * outgoing Slack / PagerDuty messages, schedules and their firings (which carry each run's deadline), and the
 * demo PagerDuty sink. The SQL that uses them lives in lib/monitoring and lib/scheduling.
 */
import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tasks } from './engine';
import { demo } from './sources';

export const alertSeverity = pgEnum('alert_severity', ['critical', 'high', 'medium']);
export const alertStatus = pgEnum('alert_status', ['open', 'acknowledged', 'resolved']);
export const messageTarget = pgEnum('message_target', ['slack', 'pagerduty']);
export const messageStatus = pgEnum('message_status', ['pending', 'delivered', 'dead']);

export const alerts = pgTable(
  'alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** What kind of trouble: step_failed, deadline_at_risk, deadline_missed, volume_drop. */
    kind: text('kind').notNull(),
    /** One unresolved alert per key (e.g. `step_failed:<task>:<step>`); the PagerDuty dedup_key derives from it. */
    dedupKey: text('dedup_key').notNull(),
    severity: alertSeverity('severity').notNull(),
    status: alertStatus('status').notNull().default('open'),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    stepName: text('step_name'),
    title: text('title').notNull(),
    details: jsonb('details').notNull().default({}),
    /** Slack channels by audience, from the pipeline's declaration when raised (lib/monitoring/routing.ts); {} = defaults. */
    channels: jsonb('channels').notNull().default({}),
    /** The engine event that raised it, so a redelivered event cannot raise a second alert. */
    sourceEventId: bigint('source_event_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedReason: text('resolved_reason'),
  },
  (table) => [
    uniqueIndex('alerts_unresolved_dedup_idx').on(table.dedupKey).where(sql`${table.status} <> 'resolved'`),
    uniqueIndex('alerts_source_event_idx').on(table.sourceEventId, table.kind),
    index('alerts_status_idx').on(table.status, table.createdAt),
    index('alerts_task_idx').on(table.taskId),
    index('alerts_severity_created_idx').on(table.severity, table.createdAt),
  ],
);

/**
 * The delivery outbox: a message is stored (in the transaction that decided to send it) before any attempt,
 * then sent by lib/monitoring/delivery.ts. Messages with the same ordering key go out in id order.
 */
export const outgoingMessages = pgTable(
  'outgoing_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Makes enqueueing idempotent: `alert:<id>:trigger:pagerduty` … */
    idempotencyKey: text('idempotency_key').notNull(),
    alertId: bigint('alert_id', { mode: 'number' }).references(() => alerts.id, { onDelete: 'set null' }),
    target: messageTarget('target').notNull(),
    /** Slack channel, or the PagerDuty dedup_key. */
    destination: text('destination').notNull(),
    /** Per ordering key one message at a time, oldest first: a PagerDuty resolve never overtakes its trigger. */
    orderingKey: text('ordering_key').notNull(),
    /** The body as the service expects it (the PagerDuty routing key is added at send time, never stored). */
    payload: jsonb('payload').notNull(),
    status: messageStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A sender holds the message until this time; after it another sender may try (the first one died). */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('outgoing_messages_idempotency_idx').on(table.idempotencyKey),
    index('outgoing_messages_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
    index('outgoing_messages_ordering_idx').on(table.orderingKey, table.id),
    index('outgoing_messages_status_idx').on(table.status, table.id),
  ],
);

export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable and human readable: part of every firing's idempotency key. */
    name: text('name').notNull(),
    namespace: text('namespace').notNull(),
    pipelineName: text('pipeline_name').notNull(),
    cronExpression: text('cron_expression').notNull(),
    /** IANA zone the cron expression and the deadline are read in. */
    timeZone: text('time_zone').notNull(),
    /** The launch input; strings like "{{yesterday}}" are replaced per firing (lib/scheduling/input-template.ts). */
    inputTemplate: jsonb('input_template').notNull(),
    /** Local HH:MM the run should be finished by (first such time after the firing); null = no deadline. */
    deadlineLocalTime: text('deadline_local_time'),
    paused: boolean('paused').notNull().default(false),
    /** Firings before this instant are never caught up (a new schedule does not backfill). */
    activeFrom: timestamp('active_from', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('schedules_name_idx').on(table.name)],
);

/**
 * Schedules this database was seeded with once (the default customer_analytics one): an operator may delete a
 * seeded schedule, and the next start must not bring it back.
 */
export const scheduleSeeds = pgTable('schedule_seeds', {
  name: text('name').primaryKey(),
  seededAt: timestamp('seeded_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per (schedule, firing time): the task it launched and the deadline that run is held to. */
export const scheduleFirings = pgTable(
  'schedule_firings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    /** Set once the deadline watch raised the alert, so it is raised once per run. */
    atRiskAlertedAt: timestamp('at_risk_alerted_at', { withTimezone: true }),
    missedAlertedAt: timestamp('missed_alerted_at', { withTimezone: true }),
    /** Set once the on-call was paged about this firing's deadline (forecast or missed): one page per firing. */
    pagedAt: timestamp('paged_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('schedule_firings_slot_idx').on(table.scheduleId, table.scheduledFor),
    index('schedule_firings_task_idx').on(table.taskId),
    index('schedule_firings_watch_idx')
      .on(table.deadlineAt)
      .where(sql`${table.missedAlertedAt} IS NULL`),
  ],
);

/** The demo PagerDuty sink: Events API v2 bodies recorded when PAGERDUTY_ROUTING_KEY is unset. */
export const pagerDutyEvents = demo.table('pagerduty_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  eventAction: text('event_action').notNull(),
  dedupKey: text('dedup_key').notNull(),
  payload: jsonb('payload').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export const alertsRelations = relations(alerts, ({ one, many }) => ({
  task: one(tasks, { fields: [alerts.taskId], references: [tasks.id] }),
  messages: many(outgoingMessages),
}));

export const outgoingMessagesRelations = relations(outgoingMessages, ({ one }) => ({
  alert: one(alerts, { fields: [outgoingMessages.alertId], references: [alerts.id] }),
}));

export const schedulesRelations = relations(schedules, ({ many }) => ({
  firings: many(scheduleFirings),
}));

/**
 * Firings the scheduler did not run, with the reason the delivery calendar shows: too old to matter after downtime
 * (CATCH_UP_MAX_AGE_DAYS), or a catch-up launch that failed after the newest firing ran. No task: nothing ran.
 */
export const scheduleSkippedFirings = pgTable(
  'schedule_skipped_firings',
  {
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    reason: text('reason').notNull(),
    skippedAt: timestamp('skipped_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.scheduleId, table.scheduledFor] })],
);

export const scheduleFiringsRelations = relations(scheduleFirings, ({ one }) => ({
  schedule: one(schedules, { fields: [scheduleFirings.scheduleId], references: [schedules.id] }),
  task: one(tasks, { fields: [scheduleFirings.taskId], references: [tasks.id] }),
}));

export type AlertRow = typeof alerts.$inferSelect;
export type OutgoingMessageRow = typeof outgoingMessages.$inferSelect;
export type ScheduleRow = typeof schedules.$inferSelect;
export type NewScheduleRow = typeof schedules.$inferInsert;
export type ScheduleFiringRow = typeof scheduleFirings.$inferSelect;
export type AlertSeverity = (typeof alertSeverity.enumValues)[number];
export type AlertStatus = (typeof alertStatus.enumValues)[number];
export type MessageTarget = (typeof messageTarget.enumValues)[number];
export type MessageStatus = (typeof messageStatus.enumValues)[number];
