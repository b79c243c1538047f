/**
 * Calendar arithmetic for the daily delivery: which local day an instant falls on in DELIVERY_TIMEZONE, and the
 * instant of that day's deadline. Intl does the time-zone work so daylight-saving changes are handled without a
 * date library.
 */

export interface DeliverySettings {
  /** HH:MM, 24-hour, local to `timeZone`. */
  deadline: string;
  /** IANA time zone name. */
  timeZone: string;
}

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of `instant` as a wall calendar in `timeZone` shows it. */
export function localDate(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(value('year'), value('month') - 1, value('day'), value('hour'), value('minute'), value('second'));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows `date` `time` (HH:MM). */
export function zonedTimeToInstant(date: string, time: string, timeZone: string): Date {
  const wallClockAsUtc = Date.parse(`${date}T${time}:00Z`);
  // Two passes: the offset at the first guess can differ from the offset at the answer around a DST switch.
  let instant = wallClockAsUtc - zoneOffsetMs(new Date(wallClockAsUtc), timeZone);
  instant = wallClockAsUtc - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** When the delivery due on local day `day` must be published to be on time. */
export function deliveryDeadline(day: string, settings: DeliverySettings): Date {
  return zonedTimeToInstant(day, settings.deadline, settings.timeZone);
}

/**
 * The data window a delivery on local day `day` carries: the daily run delivers the previous day, so the
 * delivery due on `day` is the snapshot whose window ends on `day - 1`.
 */
export function windowEndDeliveredOn(day: string): string {
  return addDays(day, -1);
}

export function deliverySettingsFromEnv(settings: { DELIVERY_DEADLINE: string; DELIVERY_TIMEZONE: string }): DeliverySettings {
  return { deadline: settings.DELIVERY_DEADLINE, timeZone: settings.DELIVERY_TIMEZONE };
}
