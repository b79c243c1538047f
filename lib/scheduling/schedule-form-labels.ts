/**
 * The schedule form's fields and labels, apart from its schema: the form (a client component) shows the labels,
 * and the schema's module reaches the database layer, which must not reach the browser bundle.
 */
export type ScheduleFormField = 'name' | 'pipeline' | 'cronExpression' | 'timeZone' | 'inputTemplate' | 'deadlineLocalTime' | 'enabled';

export const SCHEDULE_FORM_LABELS: Record<ScheduleFormField, string> = {
  name: 'Name',
  pipeline: 'Pipeline',
  cronExpression: 'Cron expression',
  timeZone: 'Time zone',
  inputTemplate: 'Input template',
  deadlineLocalTime: 'Deadline',
  enabled: 'Enabled',
};

export interface SchedulePipelineOption {
  /** `namespace/name`: the value the form submits. */
  value: string;
  label: string;
}

/** What a schedule form shows: a new schedule's suggestions, or an existing one's settings. */
export interface ScheduleFormValues {
  name: string;
  pipeline: string;
  cronExpression: string;
  timeZone: string;
  inputTemplate: string;
  deadlineLocalTime: string;
  enabled: boolean;
}
