/** The one duration and time formatting, at each unit boundary. */
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDay, formatDuration, formatNoticeDuration, formatTimestamp } from './format';

describe('formatDuration', () => {
  it('picks the unit by size and pads the smaller one', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 4 * 60_000)).toBe('2 h 04 min');
    expect(formatDuration(47 * 3_600_000)).toBe('47 h 00 min');
    expect(formatDuration(74 * 3_600_000)).toBe('3 days 02 h');
  });

  it('answers a dash for what is not a duration', () => {
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('has a short form for chat notices', () => {
    expect(formatNoticeDuration(12_345)).toBe('12.3s');
    expect(formatNoticeDuration(59_999)).toBe('60.0s');
    expect(formatNoticeDuration(60_000)).toBe('1.0min');
    expect(formatNoticeDuration(144_000)).toBe('2.4min');
  });
});

describe('timestamps', () => {
  it('compact UTC to the second from a Date or ISO text, a dash when missing or invalid', () => {
    expect(formatTimestamp(new Date('2026-11-26T14:03:07.250Z'))).toBe('2026-11-26 14:03:07 UTC');
    expect(formatTimestamp('2026-11-26T14:03:07Z')).toBe('2026-11-26 14:03:07 UTC');
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp('not a time')).toBe('—');
  });

  it('readable, in a named zone', () => {
    expect(formatDateTime('2026-03-10T14:03:00Z')).toBe('Mar 10, 2026, 14:03 UTC');
    expect(formatDateTime('2026-03-10T14:03:00Z', 'Europe/Berlin')).toBe('Mar 10, 2026, 15:03 Europe/Berlin');
    expect(formatDay('2026-03-10')).toBe('Mar 10, 2026');
  });
});
