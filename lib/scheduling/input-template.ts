/**
 * A schedule's input template: JSON whose string values may be date placeholders, replaced per firing with
 * calendar days of the firing's local date in the schedule's zone — `{{today}}`, `{{yesterday}}`,
 * `{{days_ago:N}}` (customer_analytics' daily schedule sets both ends of its window to `{{yesterday}}`, the seed's
 * "window = yesterday"). A string that is only a placeholder is replaced; anything else is kept as written.
 */
import type { JsonValue } from '@/lib/engine';
import { addDays, localDateOf } from '@/lib/time/zoned-time';

const PLACEHOLDER = /^\{\{\s*(today|yesterday|days_ago:(\d{1,3}))\s*\}\}$/;

function render(value: JsonValue | undefined, today: string): JsonValue | undefined {
  if (typeof value === 'string') {
    const match = PLACEHOLDER.exec(value);
    if (!match) return value;
    const daysAgo = match[1] === 'today' ? 0 : match[1] === 'yesterday' ? 1 : Number(match[2]);
    return addDays(today, -daysAgo);
  }
  if (Array.isArray(value)) return value.map((item) => render(item, today) ?? null);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, today)]));
  }
  return value;
}

export function renderInputTemplate(template: JsonValue, firedAt: Date, timeZone: string): JsonValue {
  return render(template, localDateOf(firedAt, timeZone)) ?? null;
}
