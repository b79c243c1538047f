/**
 * customer_analytics' start form is the generated one (lib/console/input-form.ts) over its input schema plus its
 * hints: labels and hints from the schema, yesterday prefilled, the date inputs bounded, and each problem on the
 * field that caused it, in the words on the screen.
 */
import { describe, expect, it } from 'vitest';
import { describeInputForm, parseInputForm, type InputFormField } from '@/lib/console/input-form';
import { customerAnalyticsInput } from './input';
import { customerAnalyticsStartForm } from './start-form';

const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const form = describeInputForm(customerAnalyticsInput, customerAnalyticsStartForm(new Date()));
const START = 'date_range.start_date';
const END = 'date_range.end_date';
const CHANNELS = 'notification_channels';

function errorsOf(values: Record<string, string>): Record<string, string[]> {
  const result = parseInputForm(customerAnalyticsInput, form, values);
  return result.ok ? {} : result.errors;
}

const leaves = (fields: readonly InputFormField[]): InputFormField[] => fields.flatMap((field) => (field.kind === 'group' ? leaves(field.fields) : [field]));

describe('the customer_analytics start form', () => {
  it('prefills yesterday, bounds the dates and labels every field as the screen shows it', () => {
    const noon = new Date(Date.UTC(2026, 10, 26, 12));
    const fields = Object.fromEntries(leaves(describeInputForm(customerAnalyticsInput, customerAnalyticsStartForm(noon)).fields).map((field) => [field.name, field]));
    expect(fields[START]).toMatchObject({ kind: 'text', inputType: 'date', label: 'Start date', required: true, defaultValue: '2026-11-25', min: '2000-01-01', max: '2026-11-26' });
    expect(fields[END]).toMatchObject({ label: 'End date', defaultValue: '2026-11-25', max: '2026-11-26' });
    expect(fields[END]?.hint).toBe('Not after today; a window of at most 366 days. A day, YYYY-MM-DD. From 2000-01-01 to 2026-11-26.');
    expect(fields.force_refresh).toMatchObject({ kind: 'checkbox', label: 'Force refresh', defaultValue: false });
    expect(fields[CHANNELS]).toMatchObject({ kind: 'list', label: 'Notification channels', defaultValue: '#data-team' });
    expect(describeInputForm(customerAnalyticsInput).fields[0]).toMatchObject({ kind: 'group', label: 'Date range', hint: 'Calendar days in UTC, both included.' });
  });

  it('turns valid fields into the pipeline input', () => {
    const result = parseInputForm(customerAnalyticsInput, form, { [START]: daysFromToday(-3), [END]: daysFromToday(-1), force_refresh: 'on', [CHANNELS]: '#data-team, #exec' });
    expect(result.ok && customerAnalyticsInput.parse(result.input)).toEqual({
      date_range: { start_date: daysFromToday(-3), end_date: daysFromToday(-1) },
      force_refresh: true,
      notification_channels: ['#data-team', '#exec'],
    });
  });

  it('puts each problem on the field that caused it, naming other fields by their labels', () => {
    const errors = errorsOf({ [START]: daysFromToday(-1), [END]: daysFromToday(-2), [CHANNELS]: '#ok, bad channel' });
    expect(errors[END]).toEqual(['End date must be on or after the start date.']);
    expect(errors[CHANNELS]).toEqual([
      'Notification channels: “bad” must be a channel name like #data-team.',
      'Notification channels: “channel” must be a channel name like #data-team.',
    ]);
    expect(Object.keys(errors).sort()).toEqual([END, CHANNELS]);
  });

  it('refuses a future end date and asks for a missing start date', () => {
    const errors = errorsOf({ [START]: '', [END]: daysFromToday(2), [CHANNELS]: '#data-team' });
    expect(errors[START]).toEqual(['Enter the start date.']);
    // The window's rules run once both dates parse; the end date's own problem shows once the start is given.
    expect(errorsOf({ [START]: daysFromToday(-1), [END]: daysFromToday(2) })[END]).toEqual(['End date must not be after today (UTC).']);
  });

  it('names the window limit in words', () => {
    expect(errorsOf({ [START]: '2024-01-01', [END]: '2025-06-01' })[END]).toEqual(['End date must be at most 365 days after the start date (a window of 366 days).']);
  });

  it('needs at least one channel', () => {
    expect(errorsOf({ [START]: daysFromToday(-1), [END]: daysFromToday(-1), [CHANNELS]: ' , ' })[CHANNELS]).toEqual(['Notification channels must name at least one channel.']);
  });
});
