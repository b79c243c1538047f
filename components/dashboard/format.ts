/** Number and date formatting shared by the dashboard and status components (en-US, one place). */

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const wholeMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compactMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatMoney = (value: number) => money.format(value);
export const formatWholeMoney = (value: number) => wholeMoney.format(value);
/** Chart axis ticks only (drawn in the browser): compact output differs between ICU versions. */
export const formatCompactMoney = (value: number) => compactMoney.format(value);
export const formatCount = (value: number) => integer.format(value);
export const formatPercent = (value: number) => `${oneDecimal.format(value)}%`;

export function formatChange(changePercent: number | null): string {
  if (changePercent === null) return 'no comparison';
  if (changePercent === 0) return '±0.0%';
  return `${changePercent > 0 ? '+' : '−'}${oneDecimal.format(Math.abs(changePercent))}%`;
}

/** A timestamp in UTC, spelled out so nobody has to guess the zone. */
export function formatTimestamp(value: Date | string, timeZone = 'UTC'): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date)} ${timeZone}`;
}

/** YYYY-MM-DD → "Mar 10, 2026". */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(`${day}T00:00:00Z`));
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}
