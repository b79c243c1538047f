/**
 * The one zoned-time module across both daylight-saving transitions of two real zones. The rules: a local time the
 * spring-forward skips maps to the instant one offset later (02:30 → 03:30 new time, as cron does); a local time the
 * fall-back repeats maps to its first occurrence.
 */
import { describe, expect, it } from 'vitest';
import { deliveryDeadline } from '@/lib/delivery/clock';
import { addDays, addMonths, instantOf, isValidTimeZone, localDateOf, localMonthOf, monthsBetween, monthStartOf, nextLocalTime } from './zoned-time';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;

const iso = (date: Date) => date.toISOString();

describe('America/New_York (2026: spring forward 8 March 02:00, fall back 1 November 02:00)', () => {
  it('spring forward: times either side keep their offset, the skipped 02:30 becomes 03:30 EDT', () => {
    expect(iso(instantOf('2026-03-08', '01:30', NY))).toBe('2026-03-08T06:30:00.000Z');
    expect(iso(instantOf('2026-03-08', '02:30', NY))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(instantOf('2026-03-08', '03:30', NY))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(instantOf('2026-03-08', '06:00', NY))).toBe('2026-03-08T10:00:00.000Z');
    expect(instantOf('2026-03-09', '00:00', NY).getTime() - instantOf('2026-03-08', '00:00', NY).getTime()).toBe(23 * HOUR);
  });

  it('fall back: the repeated 01:30 is its first (EDT) occurrence; the day has 25 hours', () => {
    expect(iso(instantOf('2026-11-01', '00:30', NY))).toBe('2026-11-01T04:30:00.000Z');
    expect(iso(instantOf('2026-11-01', '01:30', NY))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(instantOf('2026-11-01', '02:30', NY))).toBe('2026-11-01T07:30:00.000Z');
    expect(instantOf('2026-11-02', '00:00', NY).getTime() - instantOf('2026-11-01', '00:00', NY).getTime()).toBe(25 * HOUR);
  });

  it('local dates turn at local midnight on both sides of each change', () => {
    expect(localDateOf(new Date('2026-03-08T04:59:59Z'), NY)).toBe('2026-03-07');
    expect(localDateOf(new Date('2026-03-08T05:00:00Z'), NY)).toBe('2026-03-08');
    expect(localDateOf(new Date('2026-11-02T04:59:59Z'), NY)).toBe('2026-11-01');
    expect(localDateOf(new Date('2026-11-02T05:00:00Z'), NY)).toBe('2026-11-02');
  });

  it('the next 06:00 and the delivery deadline follow the new offset', () => {
    expect(iso(nextLocalTime(new Date('2026-03-07T12:00:00Z'), '06:00', NY))).toBe('2026-03-08T10:00:00.000Z');
    expect(iso(nextLocalTime(new Date('2026-10-31T12:00:00Z'), '06:00', NY))).toBe('2026-11-01T11:00:00.000Z');
    expect(iso(deliveryDeadline('2026-03-08', { deadline: '06:00', timeZone: NY }))).toBe('2026-03-08T10:00:00.000Z');
    expect(iso(deliveryDeadline('2026-11-01', { deadline: '01:30', timeZone: NY }))).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('Europe/Berlin (2026: spring forward 29 March 02:00, fall back 25 October 03:00)', () => {
  it('spring forward: the skipped 02:30 becomes 03:30 CEST', () => {
    expect(iso(instantOf('2026-03-29', '01:30', BERLIN))).toBe('2026-03-29T00:30:00.000Z');
    expect(iso(instantOf('2026-03-29', '02:30', BERLIN))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(instantOf('2026-03-29', '03:30', BERLIN))).toBe('2026-03-29T01:30:00.000Z');
    expect(instantOf('2026-03-30', '00:00', BERLIN).getTime() - instantOf('2026-03-29', '00:00', BERLIN).getTime()).toBe(23 * HOUR);
  });

  it('fall back: the repeated 02:30 is its first (CEST) occurrence', () => {
    expect(iso(instantOf('2026-10-25', '01:30', BERLIN))).toBe('2026-10-24T23:30:00.000Z');
    expect(iso(instantOf('2026-10-25', '02:30', BERLIN))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(instantOf('2026-10-25', '03:30', BERLIN))).toBe('2026-10-25T02:30:00.000Z');
    expect(instantOf('2026-10-26', '00:00', BERLIN).getTime() - instantOf('2026-10-25', '00:00', BERLIN).getTime()).toBe(25 * HOUR);
  });

  it('local dates turn at local midnight, before UTC does', () => {
    expect(localDateOf(new Date('2026-03-28T22:59:59Z'), BERLIN)).toBe('2026-03-28');
    expect(localDateOf(new Date('2026-03-28T23:00:00Z'), BERLIN)).toBe('2026-03-29');
    expect(localDateOf(new Date('2026-10-24T21:59:59Z'), BERLIN)).toBe('2026-10-24');
    expect(localDateOf(new Date('2026-10-24T22:00:00Z'), BERLIN)).toBe('2026-10-25');
  });
});

describe('calendar helpers', () => {
  it('adds days across month and year ends, and rejects unknown zones', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(isValidTimeZone(BERLIN)).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('calendar months', () => {
  it('adds and counts months across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-11', 14)).toBe('2027-01');
    expect(monthsBetween('2025-11', '2027-01')).toBe(14);
    expect(monthsBetween('2026-03', '2026-01')).toBe(-2);
  });

  it('starts a month at local midnight and reads an instant\'s local month', () => {
    expect(iso(monthStartOf('2026-02', BERLIN))).toBe('2026-01-31T23:00:00.000Z');
    expect(iso(monthStartOf('2026-04', NY))).toBe('2026-04-01T04:00:00.000Z');
    expect(localMonthOf(new Date('2026-01-31T23:30:00Z'), BERLIN)).toBe('2026-02');
    expect(localMonthOf(new Date('2026-01-31T23:30:00Z'), 'UTC')).toBe('2026-01');
  });
});
