/** The public status page's one entry point: facts from the database, derived with the configured delivery deadline. */
import type pg from 'pg';
import { env } from '@/lib/env';
import { deliverySettingsFromEnv, type DeliverySettings } from './delivery-clock';
import { deriveStatus, type PublicStatus } from './derive';
import { readStatusFacts } from './read-facts';

export type { PublicStatus, OverallState, DayOutcome, HistoryDay, Incident, Ratio } from './derive';

export async function loadPublicStatus(pool: pg.Pool, now = new Date(), settings: DeliverySettings = deliverySettingsFromEnv(env())): Promise<PublicStatus> {
  return deriveStatus(await readStatusFacts(pool, now, settings), now, settings);
}
