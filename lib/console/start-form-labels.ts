/**
 * The start form's fields and their labels, apart from the schema: the form (a client component) shows the labels,
 * and the schema's module reads server settings that must not reach the browser bundle.
 */
export type StartFormField = 'start_date' | 'end_date' | 'force_refresh' | 'channels';

/** Messages name a field the way the person sees it, never by its id. */
export const START_FORM_LABELS: Record<StartFormField, string> = {
  start_date: 'Start date',
  end_date: 'End date',
  force_refresh: 'Force refresh',
  channels: 'Notification channels',
};
