/** The public status page's one entry point: facts from the database, derived with the deployment's delivery policy. */
import type pg from 'pg';
import type { DeliveredPipeline, DeliveryPolicy } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { deriveStatus, type PublicStatus } from './derive';
import { readStatusFacts } from './read-facts';

export type { PublicStatus, OverallState, DayOutcome, HistoryDay, Incident, Ratio } from './derive';

/** The status of `pipeline`'s delivery with this deployment's policy (lib/delivery/policy.ts), or a policy of the caller's (tests). */
export async function loadPublicStatus(pool: pg.Pool, now: Date, delivered: DeliveredPipeline | DeliveryPolicy): Promise<PublicStatus> {
  const effective = 'pipeline' in delivered ? delivered : await readDeliveryPolicy(pool, delivered);
  return deriveStatus(await readStatusFacts(pool, now, effective), now, effective);
}
