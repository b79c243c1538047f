/** Cron expressions (cron-parser 5, 5 or 6 fields) read in an IANA time zone: validation and firing times. */
import { CronExpressionParser } from 'cron-parser';

export function cronError(expression: string, timeZone: string): string | null {
  try {
    CronExpressionParser.parse(expression, { tz: timeZone });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Firing times in (after, upTo], oldest first; at most `limit` (the newest are dropped beyond it). */
export function firingsBetween(expression: string, timeZone: string, after: Date, upTo: Date, limit = 1_000): Date[] {
  if (upTo.getTime() <= after.getTime()) return [];
  const iterator = CronExpressionParser.parse(expression, { tz: timeZone, currentDate: after, endDate: upTo });
  const firings: Date[] = [];
  while (firings.length < limit && iterator.hasNext()) firings.push(iterator.next().toDate());
  return firings;
}

export function nextFiring(expression: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { tz: timeZone, currentDate: after }).next().toDate();
}
