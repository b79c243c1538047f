/**
 * Schedules: the default daily customer_analytics run (seeded once per database), validated creation, the list the
 * UI shows (with next and last firing), and what an operator does to them — add, edit, delete, pause and resume,
 * each audited in the same transaction as the change. Resuming or editing moves `active_from` to now, so a
 * paused period, or slots the old settings would have had, are skipped rather than caught up.
 */
import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '@/db/transaction';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { readTasksFacts, type JsonValue, type TaskStatus } from '@/lib/engine';
import { cronError, nextFiring } from './cron';
import { isValidTimeZone } from '@/lib/time/zoned-time';

export const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const scheduleInputSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be lower-case letters, digits, _ or - (at most 80)'),
    namespace: z.string().min(1),
    pipelineName: z.string().min(1),
    cronExpression: z.string().min(1).max(200),
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin'),
    inputTemplate: jsonValue,
    deadlineLocalTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:00')
      .nullable(),
    paused: z.boolean().default(false),
    /** Default: now. Firings before it are never caught up. */
    activeFrom: z.date().optional(),
  })
  .superRefine((input, ctx) => {
    const problem = cronError(input.cronExpression, input.timeZone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cronExpression'], message: `is not a valid cron expression (${problem})` });
  });
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export interface Schedule {
  id: string;
  name: string;
  namespace: string;
  pipelineName: string;
  cronExpression: string;
  timeZone: string;
  inputTemplate: JsonValue;
  deadlineLocalTime: string | null;
  paused: boolean;
  activeFrom: Date;
}

export interface ScheduleListItem extends Schedule {
  nextFiringAt: Date | null;
  lastFiring: { scheduledFor: Date; taskId: string; taskStatus: TaskStatus; deadlineAt: Date | null } | null;
}


const SCHEDULE_COLUMNS = `id, name, namespace, pipeline_name AS "pipelineName", cron_expression AS "cronExpression",
  time_zone AS "timeZone", input_template AS "inputTemplate", deadline_local_time AS "deadlineLocalTime", paused,
  active_from AS "activeFrom"`;

export async function createSchedule(pool: pg.Pool | pg.ClientBase, input: ScheduleInput, options: { ifMissing?: boolean } = {}): Promise<Schedule | null> {
  const parsed = scheduleInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new UserFacingError(`Invalid schedule: ${issueList(parsed.error)}`, 422);
  }
  const value = parsed.data;
  const inserted = await pool.query<Schedule>(
    `INSERT INTO schedules (name, namespace, pipeline_name, cron_expression, time_zone, input_template, deadline_local_time, paused, active_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()))
     ${options.ifMissing ? 'ON CONFLICT (name) DO NOTHING' : ''}
     RETURNING ${SCHEDULE_COLUMNS}`,
    [
      value.name,
      value.namespace,
      value.pipelineName,
      value.cronExpression,
      value.timeZone,
      JSON.stringify(value.inputTemplate),
      value.deadlineLocalTime,
      value.paused,
      value.activeFrom ?? null,
    ],
  );
  return inserted.rows[0] ?? null;
}

/**
 * A schedule a pipeline's module declares (lib/runtime collects them): created once per database, the seed
 * recorded with it, so a declared schedule an operator edited keeps the edit and one they deleted stays deleted.
 */
export interface DeclaredSchedule {
  namespace: string;
  pipelineName: string;
  name: string;
  cronExpression: string;
  inputTemplate: JsonValue;
  timeZone: string;
  /** HH:MM local to `timeZone` a firing's run is due by; null when nothing is due. */
  deadlineLocalTime: string | null;
}

export async function ensureDeclaredSchedules(pool: pg.Pool, schedules: readonly DeclaredSchedule[], now: Date = new Date()): Promise<void> {
  for (const declared of schedules) {
    await withTransaction(pool, async (client) => {
      // A second process starting at once waits here for the first to commit, then finds the seed recorded.
      const seeded = await client.query(`INSERT INTO schedule_seeds (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [declared.name]);
      if (seeded.rowCount === 0) return;
      // A database from before seeds were recorded may already have it.
      await createSchedule(client, { ...declared, activeFrom: now }, { ifMissing: true });
    });
  }
}

/** A pipeline's default schedule, as its module declares it (lib/delivery's DeliveredPipeline has this shape). */
export interface DefaultSchedule {
  namespace: string;
  name: string;
  schedule: { name: string; cronExpression: string; inputTemplate: JsonValue };
}

/**
 * The delivered pipeline's daily schedule (customer_analytics: 01:00 for yesterday, as the seed describes), due by
 * the delivery deadline; seeded like every declared schedule.
 */
export async function ensureDefaultSchedule(
  pool: pg.Pool,
  delivered: DefaultSchedule,
  settings: { timeZone: string; deadline: string },
  now: Date = new Date(),
): Promise<void> {
  await ensureDeclaredSchedules(pool, [defaultScheduleDeclaration(delivered, settings)], now);
}

export function defaultScheduleDeclaration(delivered: DefaultSchedule, settings: { timeZone: string; deadline: string }): DeclaredSchedule {
  return {
    namespace: delivered.namespace,
    pipelineName: delivered.name,
    ...delivered.schedule,
    timeZone: settings.timeZone,
    deadlineLocalTime: settings.deadline,
  };
}

/** An operator adds a schedule; a name already taken is a 409 naming it. */
export async function addSchedule(pool: pg.Pool, input: Omit<ScheduleInput, 'activeFrom'>, actor: AuditActor): Promise<Schedule> {
  return withTransaction(pool, async (client) => {
    const created = await createSchedule(client, input, { ifMissing: true });
    if (!created) throw new UserFacingError(`A schedule named “${input.name}” already exists; choose another name.`, 409);
    await recordAudit(client, { ...actor, action: 'schedule.create', target: `schedule:${created.name}`, details: auditDetails(created) });
    return created;
  });
}

/** Everything but the name, which is part of every firing's idempotency key and so stays as created. */
export type ScheduleChanges = Omit<ScheduleInput, 'name' | 'activeFrom'>;

/**
 * An operator edits a schedule. The new settings apply from now on: `active_from` moves to now, so a changed cron
 * expression does not fire the slots it would have had earlier today.
 */
export async function updateSchedule(pool: pg.Pool, scheduleId: string, changes: ScheduleChanges, actor: AuditActor): Promise<Schedule> {
  return withTransaction(pool, async (client) => {
    const current = await client.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = $1 FOR UPDATE`, [scheduleId]);
    const before = current.rows[0];
    if (!before) throw new UserFacingError('The schedule does not exist (it may have been deleted).', 404);
    const parsed = scheduleInputSchema.safeParse({ ...changes, name: before.name });
    if (!parsed.success) throw new UserFacingError(`Invalid schedule: ${issueList(parsed.error)}`, 422);
    const value = parsed.data;
    const updated = await client.query<Schedule>(
      `UPDATE schedules
          SET namespace = $2, pipeline_name = $3, cron_expression = $4, time_zone = $5, input_template = $6,
              deadline_local_time = $7, paused = $8, active_from = now(), updated_at = now()
        WHERE id = $1
        RETURNING ${SCHEDULE_COLUMNS}`,
      [scheduleId, value.namespace, value.pipelineName, value.cronExpression, value.timeZone, JSON.stringify(value.inputTemplate), value.deadlineLocalTime, value.paused],
    );
    const after = updated.rows[0];
    if (!after) throw new UserFacingError('The schedule does not exist (it may have been deleted).', 404);
    await recordAudit(client, { ...actor, action: 'schedule.update', target: `schedule:${after.name}`, details: { before: auditDetails(before), after: auditDetails(after) } });
    return after;
  });
}

/** An operator deletes a schedule; its firing records go with it, the runs it launched stay. */
export async function deleteSchedule(pool: pg.Pool, scheduleId: string, actor: AuditActor): Promise<void> {
  await withTransaction(pool, async (client) => {
    const deleted = await client.query<Schedule>(`DELETE FROM schedules WHERE id = $1 RETURNING ${SCHEDULE_COLUMNS}`, [scheduleId]);
    const row = deleted.rows[0];
    if (!row) throw new UserFacingError('The schedule does not exist (it may have been deleted already).', 404);
    await recordAudit(client, { ...actor, action: 'schedule.delete', target: `schedule:${row.name}`, details: auditDetails(row) });
  });
}

function auditDetails(schedule: Schedule): Record<string, unknown> {
  return {
    pipeline: `${schedule.namespace}/${schedule.pipelineName}`,
    cron: schedule.cronExpression,
    timeZone: schedule.timeZone,
    inputTemplate: schedule.inputTemplate,
    deadline: schedule.deadlineLocalTime,
    enabled: !schedule.paused,
  };
}

const issueList = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');

export async function listActiveSchedules(pool: pg.Pool): Promise<Schedule[]> {
  const { rows } = await pool.query<Schedule>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE NOT paused ORDER BY name`);
  return rows;
}

export async function listSchedules(pool: pg.Pool, now: Date = new Date()): Promise<ScheduleListItem[]> {
  const { rows } = await pool.query<Schedule & { lastFiring: { scheduledFor: string; taskId: string; deadlineAt: string | null } | null }>(
    `SELECT ${SCHEDULE_COLUMNS},
            (SELECT json_build_object('scheduledFor', f.scheduled_for, 'taskId', f.task_id, 'deadlineAt', f.deadline_at)
               FROM schedule_firings f
              WHERE f.schedule_id = s.id ORDER BY f.scheduled_for DESC LIMIT 1) AS "lastFiring"
       FROM schedules s ORDER BY s.name`,
  );
  const taskIds = rows.flatMap((row) => (row.lastFiring ? [row.lastFiring.taskId] : []));
  const statuses = new Map((await readTasksFacts(pool, taskIds)).map((task) => [task.id, task.status]));
  return rows.map((row) => {
    const taskStatus = row.lastFiring ? statuses.get(row.lastFiring.taskId) : undefined;
    return {
      ...row,
      nextFiringAt: row.paused ? null : nextFiring(row.cronExpression, row.timeZone, now),
      lastFiring:
        row.lastFiring && taskStatus
          ? {
              scheduledFor: new Date(row.lastFiring.scheduledFor),
              taskId: row.lastFiring.taskId,
              taskStatus,
              deadlineAt: row.lastFiring.deadlineAt ? new Date(row.lastFiring.deadlineAt) : null,
            }
          : null,
    };
  });
}

export async function setSchedulePaused(pool: pg.Pool, scheduleId: string, paused: boolean, actor: AuditActor): Promise<void> {
  await withTransaction(pool, async (client) => {
    const updated = await client.query<{ name: string }>(
      `UPDATE schedules
          SET paused = $2, updated_at = now(), active_from = CASE WHEN $2 THEN active_from ELSE now() END
        WHERE id = $1 AND paused <> $2
        RETURNING name`,
      [scheduleId, paused],
    );
    const row = updated.rows[0];
    if (!row) throw new UserFacingError(`The schedule does not exist or is already ${paused ? 'paused' : 'running'}.`, 409);
    await recordAudit(client, { ...actor, action: paused ? 'schedule.pause' : 'schedule.resume', target: `schedule:${row.name}` });
  });
}
