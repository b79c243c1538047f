/**
 * The data-quality gate in front of publishing: reasons to hold a run's snapshot for review instead of showing it
 * to executives. A window without orders or without customers, an extract far below recent deliveries, or an
 * upstream step resolved by hand (its data is missing) each hold it; an operator then publishes it anyway or
 * discards it (./review.ts).
 */
import type pg from 'pg';
import { readTaskSteps } from '@/lib/engine';
import { describeDrop, findVolumeDrops, type VolumeMeasure } from '@/lib/monitoring/volume-guard';

export const HOLD_CODES = ['no_orders', 'no_customers', 'volume_drop', 'manual_resolution'] as const;
export type HoldCode = (typeof HOLD_CODES)[number];

export type HoldReason = {
  code: HoldCode;
  message: string;
};

/** What the gate needs of the snapshot about to be published. */
export interface GateFigures {
  orders: number;
  /** Customers with metrics: customers known to the CRM who ordered in the window. */
  customers: number;
}

export async function holdReasons(pool: pg.Pool, taskId: string, figures: GateFigures, volume: VolumeMeasure): Promise<HoldReason[]> {
  const reasons: HoldReason[] = [];
  if (figures.orders === 0) reasons.push({ code: 'no_orders', message: 'The window has no orders.' });
  if (figures.customers === 0) reasons.push({ code: 'no_customers', message: 'No customer known to the CRM ordered in the window.' });
  for (const drop of await findVolumeDrops(pool, taskId, volume)) reasons.push({ code: 'volume_drop', message: `${describeDrop(drop)}.` });
  const resolved = (await readTaskSteps(pool, taskId)).filter((step) => step.status === 'resolved_manually');
  for (const step of resolved) {
    reasons.push({ code: 'manual_resolution', message: `${step.name} was resolved manually, so its data is missing${missingData(step)}.` });
  }
  return reasons;
}

/** ": <what the step produces>" from its description, lower-cased into the sentence. */
export function missingData(step: { description: string | null }): string {
  return step.description ? ` (${step.description.replace(/^./, (first) => first.toLowerCase())})` : '';
}

export function describeReasons(reasons: readonly HoldReason[]): string {
  return reasons.map((reason) => reason.message.replace(/\.$/, '')).join('; ');
}
