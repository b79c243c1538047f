/**
 * The schedule form (add and edit on /schedules): its text fields → a schedule, with every problem in words on the
 * field that caused it — a cron expression cron-parser refuses, a time zone that does not exist, a pipeline this
 * deployment does not register, and an input template that is not JSON or that the pipeline's own schema refuses
 * once its placeholders are filled in for today.
 */
import { z } from 'zod';
import type { JsonValue, PipelineDefinition } from '@/lib/engine';
import { isValidTimeZone } from '@/lib/time/zoned-time';
import { cronError } from './cron';
import { renderInputTemplate } from './input-template';
import type { ScheduleFormField, SchedulePipelineOption } from './schedule-form-labels';
import { jsonValue, type ScheduleChanges } from './schedules';

const pipelineValue = (definition: Pick<PipelineDefinition, 'namespace' | 'name'>) => `${definition.namespace}/${definition.name}`;

/** Each registered pipeline once (schedules launch the newest version). */
export function schedulePipelineOptions(definitions: readonly PipelineDefinition[]): SchedulePipelineOption[] {
  const values = [...new Set(definitions.map(pipelineValue))].sort();
  return values.map((value) => ({ value, label: value }));
}

const SCHEDULE_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const formFields = z.object({
  pipeline: z.string().trim().default(''),
  cronExpression: z.string().trim().default(''),
  timeZone: z.string().trim().default(''),
  inputTemplate: z.string().trim().default(''),
  deadlineLocalTime: z.string().trim().default(''),
  /** A checkbox: present ("on") when ticked. */
  enabled: z.string().optional(),
});

type Issue = { field: ScheduleFormField; message: string };

/** The fields every schedule has, checked; issues are collected, not thrown, so the form shows all of them at once. */
function readChanges(form: z.output<typeof formFields>, definitions: readonly PipelineDefinition[], now: Date): { changes: ScheduleChanges | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const known = schedulePipelineOptions(definitions).map((option) => option.value);
  const definition = definitions.find((candidate) => pipelineValue(candidate) === form.pipeline);
  if (form.pipeline === '') issues.push({ field: 'pipeline', message: 'Choose a pipeline.' });
  else if (!definition) issues.push({ field: 'pipeline', message: `Pipeline “${form.pipeline}” is not registered here; known pipelines: ${known.join(', ') || 'none'}.` });

  const timeZoneValid = isValidTimeZone(form.timeZone);
  if (form.timeZone === '') issues.push({ field: 'timeZone', message: 'Enter a time zone, such as UTC or Europe/Berlin.' });
  else if (!timeZoneValid) issues.push({ field: 'timeZone', message: `Time zone “${form.timeZone}” is not an IANA time zone such as UTC or Europe/Berlin.` });

  if (form.cronExpression === '') {
    issues.push({ field: 'cronExpression', message: 'Enter a cron expression, such as 0 1 * * * (01:00 every day).' });
  } else {
    const problem = form.cronExpression.length > 200 ? 'it is longer than 200 characters' : cronError(form.cronExpression, timeZoneValid ? form.timeZone : 'UTC');
    if (problem) {
      issues.push({
        field: 'cronExpression',
        message: `Cron expression “${form.cronExpression}” is not valid (${problem}). Use five fields — minute, hour, day of month, month, day of week — such as 0 1 * * * for 01:00 every day.`,
      });
    }
  }

  let template: JsonValue | undefined;
  if (form.inputTemplate === '') {
    issues.push({ field: 'inputTemplate', message: 'Enter the input template as JSON; {} when the pipeline’s defaults will do.' });
  } else {
    try {
      const parsed = jsonValue.safeParse(JSON.parse(form.inputTemplate));
      if (parsed.success) template = parsed.data;
      else issues.push({ field: 'inputTemplate', message: 'Input template must be JSON.' });
    } catch (error) {
      issues.push({ field: 'inputTemplate', message: `Input template is not valid JSON (${error instanceof Error ? error.message : String(error)}).` });
    }
  }
  if (template !== undefined && definition) {
    // The firing renders the template in the schedule's zone; today's rendering shows whether the pipeline accepts it.
    const rendered = renderInputTemplate(template, now, timeZoneValid ? form.timeZone : 'UTC');
    const checked = definition.input.safeParse(rendered);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')} ${issue.message}` : issue.message));
      issues.push({ field: 'inputTemplate', message: `Input template, filled in for today, is not a valid input for ${form.pipeline}: ${problems.join('; ')}.` });
    }
  }

  if (form.deadlineLocalTime !== '' && !LOCAL_TIME.test(form.deadlineLocalTime)) {
    issues.push({ field: 'deadlineLocalTime', message: 'Deadline must be a time like 07:00, or empty for none.' });
  }

  if (issues.length > 0 || !definition || template === undefined) return { changes: null, issues };
  return {
    changes: {
      namespace: definition.namespace,
      pipelineName: definition.name,
      cronExpression: form.cronExpression,
      timeZone: form.timeZone,
      inputTemplate: template,
      deadlineLocalTime: form.deadlineLocalTime === '' ? null : form.deadlineLocalTime,
      paused: form.enabled === undefined,
    },
    issues,
  };
}

const reportAll = (issues: readonly Issue[], ctx: z.RefinementCtx) => {
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
};

/** A new schedule: a name, then every other field. */
export function newScheduleFormSchema(definitions: readonly PipelineDefinition[], now: () => Date = () => new Date()) {
  return formFields.extend({ name: z.string().trim().default('') }).transform((form, ctx) => {
    const { changes, issues } = readChanges(form, definitions, now());
    if (form.name === '') issues.unshift({ field: 'name', message: 'Enter a name, such as retention_monthly.' });
    else if (!SCHEDULE_NAME.test(form.name)) issues.unshift({ field: 'name', message: 'Name must be lower-case letters, digits, _ or - (at most 80), starting with a letter or digit.' });
    if (!changes || issues.length > 0) {
      reportAll(issues, ctx);
      return z.NEVER;
    }
    return { ...changes, name: form.name };
  });
}

/** An existing schedule's new settings (its name stays). */
export function editScheduleFormSchema(definitions: readonly PipelineDefinition[], now: () => Date = () => new Date()) {
  return formFields.extend({ scheduleId: z.uuid('Unknown schedule') }).transform((form, ctx) => {
    const { changes, issues } = readChanges(form, definitions, now());
    if (!changes) {
      reportAll(issues, ctx);
      return z.NEVER;
    }
    return { scheduleId: form.scheduleId, changes };
  });
}
