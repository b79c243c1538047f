/**
 * Wall-clock arithmetic in IANA time zones with Intl only: the local date of an instant, and the instant of a
 * local date + time. A local time that does not exist (the skipped hour of a spring-forward) maps to the
 * instant one offset later, as cron implementations do; an ambiguous one (fall-back) to its first occurrence.
 */
import { cachedDateFormat } from './format';

const DAY_MS = 86_400_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return cachedDateFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Local time minus UTC at this instant, in ms. */
function offsetMs(instant: Date, timeZone: string): number {
  const local = wallClock(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** YYYY-MM-DD of the instant in the zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const local = wallClock(instant, timeZone);
  return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}

/** YYYY-MM-DD plus `days` (calendar arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `start` to `end` (both YYYY-MM-DD), end exclusive. */
export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/** Today's date in UTC, YYYY-MM-DD. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The instant at which the zone's clocks show `date` `time` (HH:MM). */
export function instantOf(date: string, time: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const guess = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0);
  // The offsets in force a day either side cover both sides of any transition near the wall time, in zones east
  // and west of UTC alike (trying only the offset at the guess misses the first occurrence east of UTC).
  const candidates = [guess - DAY_MS, guess, guess + DAY_MS].map((probe) => guess - offsetMs(new Date(probe), timeZone));
  const shows = (candidate: number) => {
    const local = wallClock(new Date(candidate), timeZone);
    return local.hour === hour && local.minute === minute;
  };
  const matching = candidates.filter(shows);
  // No candidate shows the time: it falls in a spring-forward gap. Read with the earlier (smaller) offset it lands
  // one offset later, the latest candidate.
  return new Date(matching.length > 0 ? Math.min(...matching) : Math.max(...candidates));
}

/** The first moment after `after` when the zone's clocks show `time` (HH:MM): the deadline of a run fired then. */
export function nextLocalTime(after: Date, time: string, timeZone: string): Date {
  const date = localDateOf(after, timeZone);
  const sameDay = instantOf(date, time, timeZone);
  return sameDay.getTime() > after.getTime() ? sameDay : instantOf(addDays(date, 1), time, timeZone);
}

/** YYYY-MM of the instant in the zone: the calendar month its local date falls in. */
export function localMonthOf(instant: Date, timeZone: string): string {
  return localDateOf(instant, timeZone).slice(0, 7);
}

/** YYYY-MM plus `months` (calendar arithmetic, no zone involved). */
export function addMonths(month: string, months: number): string {
  const [year = 1970, monthOfYear = 1] = month.split('-').map(Number);
  const index = year * 12 + (monthOfYear - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Whole months from `from` to `to` (both YYYY-MM); negative when `to` is earlier. */
export function monthsBetween(from: string, to: string): number {
  const [fromYear = 0, fromMonth = 1] = from.split('-').map(Number);
  const [toYear = 0, toMonth = 1] = to.split('-').map(Number);
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}

/** The instant the zone's clocks reach the first day of `month` (YYYY-MM): where that local month begins. */
export function monthStartOf(month: string, timeZone: string): Date {
  return instantOf(`${month}-01`, '00:00', timeZone);
}
