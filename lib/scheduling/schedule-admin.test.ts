/**
 * Schedules as operators manage them: the form refuses a bad cron expression, zone, pipeline or template in words
 * on the field; add, edit and delete persist and are audited; the default schedule is seeded once, is editable and
 * deletable, and stays deleted across restarts; the scheduler fires a schedule added for a pipeline other than
 * customer_analytics, through a registry that knows only that pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, definePipeline, type Logger } from '@/lib/engine';
import { buildRegistry, declaredSchedules, pipelineModules } from '@/lib/runtime/registry';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { instantOf } from '@/lib/time/zoned-time';
import { editScheduleFormSchema, newScheduleFormSchema, schedulePipelineOptions } from './schedule-form';
import { createScheduler, firingIdempotencyKey } from './scheduler';
import { addSchedule, deleteSchedule, ensureDeclaredSchedules, ensureDefaultSchedule, listSchedules, updateSchedule } from './schedules';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const actor = { actorId: null, actorLabel: 'operator@nightshift.test' };

/** A pipeline that is not customer_analytics, with a retention-like input. */
const retention = definePipeline({
  namespace: 'test',
  name: 'retention_probe',
  version: '1',
  description: 'a non-customer_analytics pipeline for schedules',
  input: z.object({ months: z.number().int().min(1).max(36).default(12), as_of: z.iso.date() }).strict(),
  steps: [{ name: 'only', handler: async () => null }],
});
const definitions = [...buildRegistry().list(), retention];

const goodForm = {
  name: 'retention_monthly',
  pipeline: 'test/retention_probe',
  cronExpression: '0 3 1 * *',
  timeZone: 'Europe/Berlin',
  inputTemplate: '{"months": 6, "as_of": "{{yesterday}}"}',
  deadlineLocalTime: '',
  enabled: 'on',
};

function fieldErrors(result: z.ZodSafeParseResult<unknown>): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (result.success) return errors;
  for (const issue of result.error.issues) errors[String(issue.path[0])] = [...(errors[String(issue.path[0])] ?? []), issue.message];
  return errors;
}

describe('schedule form', () => {
  const schema = newScheduleFormSchema(definitions);

  it('offers every registered pipeline and turns good fields into a schedule', () => {
    expect(schedulePipelineOptions(definitions).map((option) => option.value)).toEqual(['data_pipeline/customer_analytics', 'data_pipeline/customer_retention', 'test/retention_probe']);
    expect(schema.parse(goodForm)).toEqual({
      name: 'retention_monthly',
      namespace: 'test',
      pipelineName: 'retention_probe',
      cronExpression: '0 3 1 * *',
      timeZone: 'Europe/Berlin',
      inputTemplate: { months: 6, as_of: '{{yesterday}}' },
      deadlineLocalTime: null,
      paused: false,
    });
    expect(schema.parse({ ...goodForm, enabled: undefined, deadlineLocalTime: '07:30' })).toMatchObject({ paused: true, deadlineLocalTime: '07:30' });
  });

  it('says in words what is wrong with each field, all at once', () => {
    const errors = fieldErrors(
      schema.safeParse({ name: 'Bad Name', pipeline: 'test/payroll', cronExpression: '61 * * * *', timeZone: 'Mars/Olympus', inputTemplate: '{months: 6}', deadlineLocalTime: '7am' }),
    );
    expect(Object.keys(errors).sort()).toEqual(['cronExpression', 'deadlineLocalTime', 'inputTemplate', 'name', 'pipeline', 'timeZone']);
    expect(errors.name).toEqual(['Name must be lower-case letters, digits, _ or - (at most 80), starting with a letter or digit.']);
    expect(errors.pipeline).toEqual(['Pipeline “test/payroll” is not registered here; known pipelines: data_pipeline/customer_analytics, data_pipeline/customer_retention, test/retention_probe.']);
    expect(errors.cronExpression?.[0]).toMatch(/^Cron expression “61 \* \* \* \*” is not valid \(.+\)\. Use five fields — minute, hour, day of month, month, day of week — such as 0 1 \* \* \* for 01:00 every day\.$/);
    expect(errors.timeZone).toEqual(['Time zone “Mars/Olympus” is not an IANA time zone such as UTC or Europe/Berlin.']);
    expect(errors.inputTemplate?.[0]).toMatch(/^Input template is not valid JSON/);
    expect(errors.deadlineLocalTime).toEqual(['Deadline must be a time like 07:00, or empty for none.']);
    expect(fieldErrors(schema.safeParse({ ...goodForm, cronExpression: 'every night' })).cronExpression?.[0]).toMatch(/is not valid/);
    expect(fieldErrors(schema.safeParse({}))).toMatchObject({ name: ['Enter a name, such as retention_monthly.'], pipeline: ['Choose a pipeline.'] });
  });

  it('checks the template, filled in for today, against the pipeline’s own schema', () => {
    expect(fieldErrors(schema.safeParse({ ...goodForm, inputTemplate: '{"months": 99}' })).inputTemplate?.[0]).toMatch(
      /^Input template, filled in for today, is not a valid input for test\/retention_probe: months .*36.*; as_of /,
    );
    // The customer_analytics default template is valid for customer_analytics.
    const analytics = schema.safeParse({ ...goodForm, pipeline: 'data_pipeline/customer_analytics', inputTemplate: '{"date_range":{"start_date":"{{yesterday}}","end_date":"{{yesterday}}"}}' });
    expect(analytics.success).toBe(true);
  });

  it('edits need a known schedule id', () => {
    expect(fieldErrors(editScheduleFormSchema(definitions).safeParse({ ...goodForm, scheduleId: 'nope' })).scheduleId).toEqual(['Unknown schedule']);
  });
});

describe('schedules in the database', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const audit = async () =>
    (await testDb.pool.query<{ action: string; target: string; actorLabel: string }>(`SELECT action, target, actor_label AS "actorLabel" FROM audit_log ORDER BY id`)).rows;

  it('seeds the default once; edited and deleted, it stays as the operator left it', async () => {
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' });
    const [seeded] = await listSchedules(testDb.pool);
    expect(seeded).toMatchObject({ name: customerAnalyticsDelivery.schedule.name, cronExpression: '0 1 * * *', paused: false });
    if (!seeded) throw new Error('no default schedule');

    const edited = await updateSchedule(
      testDb.pool,
      seeded.id,
      { ...seeded, cronExpression: '30 2 * * *', timeZone: 'Europe/Berlin', deadlineLocalTime: null, paused: true },
      actor,
    );
    expect(edited).toMatchObject({ name: customerAnalyticsDelivery.schedule.name, cronExpression: '30 2 * * *', timeZone: 'Europe/Berlin', deadlineLocalTime: null, paused: true });
    // A restart does not put the seed's settings back.
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' });
    expect(await listSchedules(testDb.pool)).toEqual([expect.objectContaining({ id: seeded.id, cronExpression: '30 2 * * *' })]);

    await deleteSchedule(testDb.pool, seeded.id, actor);
    await ensureDefaultSchedule(testDb.pool, customerAnalyticsDelivery, { timeZone: 'UTC', deadline: '07:00' });
    expect(await listSchedules(testDb.pool)).toEqual([]);
    await expect(deleteSchedule(testDb.pool, seeded.id, actor)).rejects.toMatchObject({ status: 404 });
    expect(await audit()).toEqual([
      { action: 'schedule.update', target: `schedule:${customerAnalyticsDelivery.schedule.name}`, actorLabel: actor.actorLabel },
      { action: 'schedule.delete', target: `schedule:${customerAnalyticsDelivery.schedule.name}`, actorLabel: actor.actorLabel },
    ]);
  });

  it('declares each pipeline’s schedules: the delivered one due by its own deadline and zone, customer_retention’s monthly one', () => {
    const settings = { timeZone: 'UTC', deadline: '07:00' };
    const modules = pipelineModules();
    expect(declaredSchedules(settings, modules)).toEqual([
      {
        namespace: customerAnalyticsDelivery.namespace,
        pipelineName: customerAnalyticsDelivery.name,
        name: customerAnalyticsDelivery.schedule.name,
        cronExpression: '0 1 * * *',
        inputTemplate: customerAnalyticsDelivery.schedule.inputTemplate,
        timeZone: 'UTC',
        deadlineLocalTime: '07:00',
      },
      {
        namespace: 'data_pipeline',
        pipelineName: 'customer_retention',
        name: 'customer_retention_monthly',
        cronExpression: '0 3 2 * *',
        inputTemplate: {},
        timeZone: 'UTC',
        deadlineLocalTime: null,
      },
    ]);
    // A delivered pipeline that declares its own deadline and zone is due by those, whatever the deployment's settings.
    const ownClock = modules.map((module) => (module.delivery ? { ...module, delivery: { ...module.delivery, deadline: '06:30', timeZone: 'Europe/Berlin' } } : module));
    expect(declaredSchedules(settings, ownClock)[0]).toMatchObject({ timeZone: 'Europe/Berlin', deadlineLocalTime: '06:30' });
  });

  it('seeds every declared schedule once per database, next to a default an operator deleted', async () => {
    // The default was seeded and deleted above: declaring it again does not bring it back.
    const declared = declaredSchedules({ timeZone: 'UTC', deadline: '07:00' });
    await ensureDeclaredSchedules(testDb.pool, declared);
    await ensureDeclaredSchedules(testDb.pool, declared);
    const schedules = await listSchedules(testDb.pool);
    expect(schedules.map((schedule) => [schedule.name, schedule.pipelineName, schedule.cronExpression, schedule.deadlineLocalTime])).toEqual([
      ['customer_retention_monthly', 'customer_retention', '0 3 2 * *', null],
    ]);
    const monthly = schedules[0];
    if (!monthly) throw new Error('no monthly schedule');
    await deleteSchedule(testDb.pool, monthly.id, actor);
    await ensureDeclaredSchedules(testDb.pool, declared);
    expect(await listSchedules(testDb.pool)).toEqual([]);
  });

  it('adds a schedule from the form, refuses a second of the same name, and refuses an invalid edit', async () => {
    const created = await addSchedule(testDb.pool, newScheduleFormSchema(definitions).parse(goodForm), actor);
    expect(created).toMatchObject({ name: 'retention_monthly', namespace: 'test', pipelineName: 'retention_probe', inputTemplate: { months: 6, as_of: '{{yesterday}}' } });
    await expect(addSchedule(testDb.pool, newScheduleFormSchema(definitions).parse(goodForm), actor)).rejects.toMatchObject({
      status: 409,
      message: 'A schedule named “retention_monthly” already exists; choose another name.',
    });
    await expect(updateSchedule(testDb.pool, created.id, { ...created, cronExpression: 'not cron' }, actor)).rejects.toMatchObject({ status: 422 });
    const { changes } = editScheduleFormSchema(definitions).parse({ ...goodForm, scheduleId: created.id, cronExpression: '0 4 1 * *' });
    expect(await updateSchedule(testDb.pool, created.id, changes, actor)).toMatchObject({ name: 'retention_monthly', cronExpression: '0 4 1 * *' });
    expect((await audit()).slice(-2).map((entry) => entry.action)).toEqual(['schedule.create', 'schedule.update']);
    await deleteSchedule(testDb.pool, created.id, actor);
  });

  it('the scheduler fires a schedule added for another pipeline, through a test registry', async () => {
    const registry = createRegistry();
    registry.register(retention);
    const addedAt = instantOf('2026-03-01', '02:00', 'Europe/Berlin');
    const created = await addSchedule(testDb.pool, newScheduleFormSchema(definitions, () => addedAt).parse({ ...goodForm, name: 'retention_fired' }), actor);
    // Added "now" (the real clock), so the simulated clock starts after that; active_from is what counts.
    await testDb.pool.query(`UPDATE schedules SET active_from = $2 WHERE id = $1`, [created.id, addedAt]);
    let clock = addedAt;
    const scheduler = createScheduler({ db: testDb, registry, logger: quiet, now: () => clock, catchUpMaxAgeDays: 3, tickMs: 60_000, linkBaseUrl: 'https://nightshift.example' });
    expect(await scheduler.tick()).toEqual([]);
    clock = instantOf('2026-03-01', '03:05', 'Europe/Berlin');
    const fired = await scheduler.tick();
    expect(fired).toEqual([{ schedule: 'retention_fired', scheduledFor: instantOf('2026-03-01', '03:00', 'Europe/Berlin'), taskId: expect.any(String), created: true }]);
    const task = await testDb.pool.query<{ namespace: string; name: string; context: unknown; key: string; initiator: string }>(
      `SELECT namespace, name, context, idempotency_key AS key, initiator FROM tasks WHERE id = $1`,
      [fired[0]?.taskId],
    );
    expect(task.rows).toEqual([
      {
        namespace: 'test',
        name: 'retention_probe',
        context: { months: 6, as_of: '2026-02-28' },
        key: firingIdempotencyKey('retention_fired', instantOf('2026-03-01', '03:00', 'Europe/Berlin')),
        initiator: 'schedule:retention_fired',
      },
    ]);
  });
});
