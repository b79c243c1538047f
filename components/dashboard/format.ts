/** Number formatting shared by the dashboard and status components (en-US, one place); times are lib/time/format.ts's. */

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
