/** The start form maps the pipeline schema's issues onto its own fields, and reads defaults from that schema. */
import { describe, expect, it } from 'vitest';
import { parseChannels, startFormDefaults, startRunFormSchema } from './start-run-form';

const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function fieldErrors(form: Record<string, string>): Record<string, string[]> {
  const parsed = startRunFormSchema.safeParse(form);
  if (parsed.success) return {};
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0])] = [...(errors[String(issue.path[0])] ?? []), issue.message];
  return errors;
}

describe('startRunFormSchema', () => {
  it('turns valid fields into the pipeline input', () => {
    const parsed = startRunFormSchema.parse({ start_date: daysFromToday(-3), end_date: daysFromToday(-1), force_refresh: 'on', channels: '#data-team, #exec' });
    expect(parsed).toEqual({
      date_range: { start_date: daysFromToday(-3), end_date: daysFromToday(-1) },
      force_refresh: true,
      notification_channels: ['#data-team', '#exec'],
    });
  });

  it('puts each problem on the field that caused it', () => {
    const errors = fieldErrors({ start_date: daysFromToday(-1), end_date: daysFromToday(-2), channels: '#ok, bad channel' });
    expect(errors.end_date).toEqual(['End date must be on or after the start date.']);
    expect(errors.channels?.join(' ')).toMatch(/Notification channel “bad” must be a channel name/);
    expect(errors.channels?.join(' ')).toMatch(/“channel” must be a channel name/);
    expect(Object.keys(errors).sort()).toEqual(['channels', 'end_date']);
  });

  it('refuses a future end date and a missing start date', () => {
    const errors = fieldErrors({ start_date: '', end_date: daysFromToday(2), channels: '#data-team' });
    expect(errors.end_date).toEqual(['End date must not be after today (UTC).']);
    expect(errors.start_date).toEqual(['Enter the start date.']);
  });

  it('names the window limit in words', () => {
    expect(fieldErrors({ start_date: '2024-01-01', end_date: '2025-06-01', channels: '#data-team' }).end_date).toEqual([
      'End date must be at most 365 days after the start date (a window of 366 days).',
    ]);
  });

  it('needs at least one channel', () => {
    expect(fieldErrors({ start_date: daysFromToday(-1), end_date: daysFromToday(-1), channels: ' , ' }).channels).toEqual(['Notification channels must name at least one channel.']);
  });
});

describe('defaults', () => {
  it('are yesterday and the schema defaults', () => {
    const now = new Date(Date.UTC(2026, 10, 26, 12));
    expect(startFormDefaults(now)).toMatchObject({ start_date: '2026-11-25', end_date: '2026-11-25', force_refresh: false, channels: '#data-team' });
    // The date inputs carry the bounds the input schema enforces.
    expect(startFormDefaults(now).min_date).toBe('2000-01-01');
  });

  it('splits channels on commas and whitespace', () => {
    expect(parseChannels('#a,#b  #c\n#d')).toEqual(['#a', '#b', '#c', '#d']);
  });
});
