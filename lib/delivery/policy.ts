/**
 * The delivery policy of this deployment: the deadline and zone from the environment, and from the schedules
 * the delivery window's length (the default schedule's input template) and when tracking began (the first
 * customer_analytics schedule's creation — on a fresh install, the first start).
 */
import type pg from 'pg';
import { z } from 'zod';
import { env } from '@/lib/env';
import { CUSTOMER_ANALYTICS } from './pipeline-identity';
import { DEFAULT_SCHEDULE_NAME } from '@/lib/scheduling/schedules';
import { renderInputTemplate } from '@/lib/scheduling/input-template';
import { deliverySettingsFromEnv, type DeliverySettings } from './clock';
import type { JsonValue } from '@/lib/engine';
import type { DeliveryPolicy } from './definition';

const renderedWindow = z.object({ date_range: z.object({ start_date: z.iso.date(), end_date: z.iso.date() }) });

/** Days the template's window spans when rendered; 1 when it has no date window. */
export function templateWindowDays(template: JsonValue, timeZone: string): number {
  const parsed = renderedWindow.safeParse(renderInputTemplate(template, new Date(), timeZone));
  if (!parsed.success) return 1;
  const { start_date: start, end_date: end } = parsed.data.date_range;
  const days = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1;
  return days >= 1 ? days : 1;
}

export async function readDeliveryPolicy(pool: pg.Pool, settings: DeliverySettings = deliverySettingsFromEnv(env())): Promise<DeliveryPolicy> {
  const { rows } = await pool.query<{ trackingSince: Date | null; template: JsonValue | null; timeZone: string | null }>(
    `SELECT (SELECT min(created_at) FROM schedules WHERE namespace = $1 AND pipeline_name = $2) AS "trackingSince",
            d.input_template AS template, d.time_zone AS "timeZone"
       FROM (SELECT 1) one LEFT JOIN schedules d ON d.name = $3`,
    [CUSTOMER_ANALYTICS.namespace, CUSTOMER_ANALYTICS.name, DEFAULT_SCHEDULE_NAME],
  );
  const row = rows[0];
  return {
    ...settings,
    windowDays: row?.template ? templateWindowDays(row.template, row.timeZone ?? settings.timeZone) : 1,
    trackingSince: row?.trackingSince ?? null,
  };
}
