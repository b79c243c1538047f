/**
 * What the dashboard and the status page say about a delivery still on its way: "Today's data expected by 06:40"
 * while the estimate (lib/scheduling/eta.ts) is within the deadline, "Late: expected 07:25" once it is not. One
 * wording for both pages, so the numbers that appear twice agree.
 */
import { cachedDateFormat } from '@/lib/time/format';

export interface DeliveryExpectation {
  /** The estimated publish time (ISO 8601). */
  eta_at: string;
  late: boolean;
  text: string;
}

export function deliveryExpectation(etaAt: Date | null, deadlineAt: Date, timeZone: string): DeliveryExpectation | null {
  if (!etaAt) return null;
  const clock = cachedDateFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(etaAt);
  const late = etaAt.getTime() > deadlineAt.getTime();
  return { eta_at: etaAt.toISOString(), late, text: late ? `Late: expected ${clock}` : `Today's data expected by ${clock}` };
}
