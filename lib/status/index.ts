/** The public status page's one entry point: facts from the database, derived with the deployment's delivery policy. */
import type pg from 'pg';
import type { DeliveryPolicy } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { deriveStatus, type PublicStatus } from './derive';
import { readStatusFacts } from './read-facts';

export type { PublicStatus, OverallState, DayOutcome, HistoryDay, Incident, Ratio } from './derive';

/** `policy` defaults to this deployment's (lib/delivery/policy.ts); tests pass their own. */
export async function loadPublicStatus(pool: pg.Pool, now = new Date(), policy?: DeliveryPolicy): Promise<PublicStatus> {
  const effective = policy ?? (await readDeliveryPolicy(pool));
  return deriveStatus(await readStatusFacts(pool, now, effective), now, effective);
}
