/**
 * Fault-injection settings, one row per source in demo.chaos_settings. Read on every request (one
 * primary-key lookup), so a change made by any process applies everywhere at once; a source without
 * a row has every setting at zero.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/db/client';
import { chaosSettings } from '@/db/schema';

export const HTTP_SOURCES = ['crm', 'inventory', 'slack'] as const;
export type HttpSource = (typeof HTTP_SOURCES)[number];

export interface HttpSourceChaos {
  /** Share of requests answered with HTTP 500 or 503. */
  failure_rate: number;
  /** Share of requests answered with 429 and a Retry-After header. */
  rate_limit_rate: number;
  /** Share of requests that never answer until the client gives up. */
  hang_rate: number;
  /** Added to every request before anything else happens. */
  latency_ms: number;
}

export interface OrdersDbChaos {
  /** Share of extraction batches whose connection the server terminates. */
  failure_rate: number;
}

export interface ChaosSettings {
  crm: HttpSourceChaos;
  inventory: HttpSourceChaos;
  slack: HttpSourceChaos;
  orders_db: OrdersDbChaos;
}

const rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const httpSourcePatch = z.strictObject({
  failure_rate: rate.optional(),
  rate_limit_rate: rate.optional(),
  hang_rate: rate.optional(),
  latency_ms: z.int('must be a whole number of milliseconds').min(0).max(60_000).optional(),
});

/** Body of PUT /api/chaos: any subset of sources and, within each, any subset of settings. */
export const chaosPatchSchema = z.strictObject({
  crm: httpSourcePatch.optional(),
  inventory: httpSourcePatch.optional(),
  slack: httpSourcePatch.optional(),
  orders_db: z.strictObject({ failure_rate: rate.optional() }).optional(),
});
export type ChaosPatch = z.infer<typeof chaosPatchSchema>;

const NO_FAULTS: HttpSourceChaos = { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 };

type ChaosRow = typeof chaosSettings.$inferSelect;

function toHttpChaos(row: ChaosRow | undefined): HttpSourceChaos {
  if (!row) return { ...NO_FAULTS };
  return {
    failure_rate: row.failureRate,
    rate_limit_rate: row.rateLimitRate,
    hang_rate: row.hangRate,
    latency_ms: row.latencyMs,
  };
}

export async function readChaosSettings(db: Database): Promise<ChaosSettings> {
  const rows = await db.select().from(chaosSettings);
  const bySource = new Map(rows.map((row) => [row.source, row]));
  return {
    crm: toHttpChaos(bySource.get('crm')),
    inventory: toHttpChaos(bySource.get('inventory')),
    slack: toHttpChaos(bySource.get('slack')),
    orders_db: { failure_rate: bySource.get('orders_db')?.failureRate ?? 0 },
  };
}

export async function readSourceChaos(db: Database, source: HttpSource): Promise<HttpSourceChaos> {
  const rows = await db.select().from(chaosSettings).where(eq(chaosSettings.source, source));
  return toHttpChaos(rows[0]);
}

export async function readOrdersDbFailureRate(db: Database): Promise<number> {
  const rows = await db.select().from(chaosSettings).where(eq(chaosSettings.source, 'orders_db'));
  return rows[0]?.failureRate ?? 0;
}

/** Applies a patch (only the settings it names) in one transaction and returns the full new settings. */
export async function updateChaosSettings(db: Database, patch: ChaosPatch): Promise<ChaosSettings> {
  await db.transaction(async (tx) => {
    for (const [source, settings] of Object.entries(patch)) {
      if (!settings) continue;
      const columns = {
        ...('failure_rate' in settings && settings.failure_rate !== undefined && { failureRate: settings.failure_rate }),
        ...('rate_limit_rate' in settings && settings.rate_limit_rate !== undefined && { rateLimitRate: settings.rate_limit_rate }),
        ...('hang_rate' in settings && settings.hang_rate !== undefined && { hangRate: settings.hang_rate }),
        ...('latency_ms' in settings && settings.latency_ms !== undefined && { latencyMs: settings.latency_ms }),
      };
      await tx
        .insert(chaosSettings)
        .values({ source, ...columns })
        .onConflictDoUpdate({ target: chaosSettings.source, set: { ...columns, updatedAt: sql`now()` } });
    }
  });
  return readChaosSettings(db);
}
