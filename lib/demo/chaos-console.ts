/**
 * Fault injection from the console and the API alike: one function applies a change and writes its audit entry
 * (PUT /api/chaos and the /chaos form both call it). The form shows rates as percentages; this file converts.
 */
import { z } from 'zod';
import type { Database } from '@/db/client';
import { recordAudit } from '@/lib/audit/record';
import { auditActorOf, type Principal } from '@/lib/auth/principal-types';
import { HTTP_SOURCES, updateChaosSettings, type ChaosPatch, type ChaosSettings, type HttpSource } from '@/lib/demo/chaos';

export async function changeChaosSettings(db: Database, patch: ChaosPatch, principal: Principal): Promise<ChaosSettings> {
  const settings = await updateChaosSettings(db, patch);
  await recordAudit(db, { ...auditActorOf(principal), action: 'chaos.update', target: 'chaos_settings', details: { change: patch } });
  return settings;
}

export const HTTP_SETTINGS = [
  { key: 'failure_rate', label: 'Failure', hint: 'Share of requests answered with HTTP 500 or 503.', unit: '%' },
  { key: 'rate_limit_rate', label: 'Rate limit', hint: 'Share of requests answered with 429 and Retry-After.', unit: '%' },
  { key: 'hang_rate', label: 'Hang', hint: 'Share of requests that never answer until the client times out.', unit: '%' },
  { key: 'latency_ms', label: 'Latency', hint: 'Added to every request.', unit: 'ms' },
] as const;
export type HttpSettingKey = (typeof HTTP_SETTINGS)[number]['key'];

export const SOURCE_LABELS: Record<HttpSource | 'orders_db', string> = {
  crm: 'CRM (users)',
  inventory: 'Inventory (products)',
  slack: 'Slack (notifications)',
  orders_db: 'Orders database',
};

/** The form's field name of a setting, e.g. `crm_failure_rate`. */
export const chaosFieldName = (source: HttpSource | 'orders_db', key: HttpSettingKey) => `${source}_${key}` as const;

/** A setting's field as the form labels it ("Slack (notifications) rate limit"), so its message names it. */
const fieldLabel = (source: HttpSource | 'orders_db', label: string) => `${SOURCE_LABELS[source]} ${label.toLowerCase()}`;

const percent = (label: string) => {
  const message = `${label} must be a percentage from 0 to 100.`;
  return z.coerce.number({ error: message }).min(0, message).max(100, message);
};
const latency = (label: string) => {
  const message = `${label} must be whole milliseconds from 0 to 60000.`;
  return z.coerce.number({ error: message }).int(message).min(0, message).max(60_000, message);
};

const httpFields = (source: HttpSource) => ({
  [chaosFieldName(source, 'failure_rate')]: percent(fieldLabel(source, 'Failure')),
  [chaosFieldName(source, 'rate_limit_rate')]: percent(fieldLabel(source, 'Rate limit')),
  [chaosFieldName(source, 'hang_rate')]: percent(fieldLabel(source, 'Hang')),
  [chaosFieldName(source, 'latency_ms')]: latency(fieldLabel(source, 'Latency')),
});

// Percentages with more precision than a basis point are noise; rounding also avoids 0.07 * 100 artefacts.
const toRate = (value: number) => Math.round(value * 100) / 10_000;

/** Every setting of every source, as the form submits them; becomes a full ChaosPatch. */
export const chaosFormSchema = z
  .object({ ...httpFields('crm'), ...httpFields('inventory'), ...httpFields('slack'), orders_db_failure_rate: percent(fieldLabel('orders_db', 'Failure')) })
  .transform((form): ChaosPatch => {
    const value = (name: string): number => {
      const entry = (form as Record<string, number>)[name];
      return entry ?? 0;
    };
    const http = (source: HttpSource) => ({
      failure_rate: toRate(value(chaosFieldName(source, 'failure_rate'))),
      rate_limit_rate: toRate(value(chaosFieldName(source, 'rate_limit_rate'))),
      hang_rate: toRate(value(chaosFieldName(source, 'hang_rate'))),
      latency_ms: value(chaosFieldName(source, 'latency_ms')),
    });
    return {
      crm: http('crm'),
      inventory: http('inventory'),
      slack: http('slack'),
      orders_db: { failure_rate: toRate(form.orders_db_failure_rate) },
    };
  });

/** Current settings as the form's initial values (percentages). */
export function chaosFormValues(settings: ChaosSettings): Record<string, number> {
  const values: Record<string, number> = { orders_db_failure_rate: Math.round(settings.orders_db.failure_rate * 10_000) / 100 };
  for (const source of HTTP_SOURCES) {
    for (const { key } of HTTP_SETTINGS) {
      const raw = settings[source][key];
      values[chaosFieldName(source, key)] = key === 'latency_ms' ? raw : Math.round(raw * 10_000) / 100;
    }
  }
  return values;
}
