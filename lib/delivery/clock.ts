/**
 * Calendar arithmetic of the daily delivery: the instant a local day's delivery is due, and which data window it
 * carries. The time-zone work is lib/time/zoned-time.ts's, so the delivery and the scheduler agree on what a local
 * time means across daylight-saving changes.
 */
import { addDays, instantOf } from '@/lib/time/zoned-time';

export interface DeliverySettings {
  /** HH:MM, 24-hour, local to `timeZone`. */
  deadline: string;
  /** IANA time zone name. */
  timeZone: string;
}

/** When the delivery due on local day `day` must be published to be on time. */
export function deliveryDeadline(day: string, settings: DeliverySettings): Date {
  return instantOf(day, settings.deadline, settings.timeZone);
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
