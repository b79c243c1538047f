/**
 * The "start a run" form over the customer_analytics input schema: form fields → pipeline input, the schema's
 * issues mapped back onto the fields that caused them, the defaults the schema applies, and what each start
 * outcome means to the person who pressed the button. The schema itself stays the pipeline's: UI and API agree.
 */
import { z } from 'zod';
import type { StartOutcome } from '@/lib/pipelines/customer-analytics/start-run';
import { customerAnalyticsInput, earliestDataDate, todayUtc, type CustomerAnalyticsInput } from '@/lib/pipelines/customer-analytics/input';
import { START_FORM_LABELS, type StartFormField } from './start-form-labels';

export { START_FORM_LABELS, type StartFormField } from './start-form-labels';

/** "#data-team, #exec" or one per line → ['#data-team', '#exec']. */
export function parseChannels(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

function fieldOf(path: readonly PropertyKey[]): StartFormField {
  const [top, inner] = path;
  if (top === 'date_range') return inner === 'start_date' ? 'start_date' : 'end_date';
  if (top === 'notification_channels') return 'channels';
  if (top === 'force_refresh') return 'force_refresh';
  return 'start_date';
}


/** `start_date` inside a pipeline message → `the start date`. */
function namesInWords(message: string): string {
  return message.replace(/\b(start_date|end_date)\b/g, (id: string) => `the ${START_FORM_LABELS[id === 'start_date' ? 'start_date' : 'end_date'].toLowerCase()}`);
}

/**
 * One pipeline issue as a sentence about the form field: "End date must be on or after the start date." The
 * pipeline's messages are predicates ("must …"), so label + message reads as a sentence. A date input only ever
 * submits YYYY-MM-DD or nothing, so a date issue on an empty field asks for the date instead of naming a format
 * the input does not show.
 */
function sentenceFor(field: StartFormField, message: string, value: string, channel: string | undefined): string {
  const label = START_FORM_LABELS[field];
  if ((field === 'start_date' || field === 'end_date') && value === '') return `Enter the ${label.toLowerCase()}.`;
  if (channel !== undefined) return `Notification channel “${channel}” ${namesInWords(message)}.`;
  return `${label} ${namesInWords(message)}.`;
}

export const startRunFormSchema = z
  .object({
    start_date: z.string().default(''),
    end_date: z.string().default(''),
    /** A checkbox: present ("on") when ticked. */
    force_refresh: z.string().optional(),
    channels: z.string().default(''),
  })
  .transform((form, ctx): CustomerAnalyticsInput => {
    const channels = parseChannels(form.channels);
    const dates = { start_date: form.start_date.trim(), end_date: form.end_date.trim() };
    const parsed = customerAnalyticsInput.safeParse({
      date_range: dates,
      force_refresh: form.force_refresh !== undefined,
      notification_channels: channels,
    });
    if (parsed.success) return parsed.data;
    // An empty date fails more than one rule; the person needs to read "Enter the start date." once.
    const said = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      const channel = field === 'channels' && typeof issue.path[1] === 'number' ? channels[issue.path[1]] : undefined;
      const value = field === 'start_date' || field === 'end_date' ? dates[field] : form.channels;
      const message = sentenceFor(field, issue.message, value, channel);
      if (said.has(`${field}:${message}`)) continue;
      said.add(`${field}:${message}`);
      ctx.addIssue({ code: 'custom', path: [field], message });
    }
    return z.NEVER;
  });

export interface StartFormDefaults {
  start_date: string;
  end_date: string;
  force_refresh: boolean;
  channels: string;
  /** The date inputs' bounds: the same the input schema enforces. */
  min_date: string;
  max_date: string;
}

/** Yesterday as the window (the nightly run's), the rest as the pipeline schema defaults them. */
export function startFormDefaults(now: Date = new Date()): StartFormDefaults {
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const defaults = customerAnalyticsInput.parse({ date_range: { start_date: yesterday, end_date: yesterday } });
  return {
    start_date: defaults.date_range.start_date,
    end_date: defaults.date_range.end_date,
    force_refresh: defaults.force_refresh,
    channels: defaults.notification_channels.join(', '),
    min_date: earliestDataDate(),
    max_date: todayUtc(),
  };
}

export interface StartRunResult {
  kind: StartOutcome['kind'];
  taskId: string;
}

export function describeStartOutcome(outcome: StartOutcome): string {
  switch (outcome.kind) {
    case 'created':
      return 'Run started.';
    case 'reused':
      return 'Nothing new was started: a completed run already published this window, and its results are reused. Tick “Force refresh” to compute the window again.';
    case 'already_running':
      return 'Nothing new was started: a run for this window is already in progress. Follow that run instead.';
  }
}
