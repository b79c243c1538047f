/**
 * The delivery policy of this deployment: the delivered pipeline (from lib/runtime), its deadline and zone (its own
 * declaration, else the environment's DELIVERY_DEADLINE / DELIVERY_TIMEZONE), and from its daily schedule the delivery window's length (the schedule's input template) and when
 * tracking began (the pipeline's first schedule's creation — on a fresh install, the first start).
 */
import type pg from 'pg';
import { env } from '@/lib/env';
import { renderInputTemplate } from '@/lib/scheduling/input-template';
import { deliverySettingsFromEnv, type DeliverySettings } from './clock';
import type { JsonValue } from '@/lib/engine';
import type { DeliveredPipeline, DeliveryPolicy } from './definition';

/** Days the template's window spans when rendered; 1 when it has no date window. */
export function templateWindowDays(pipeline: DeliveredPipeline, template: JsonValue, timeZone: string): number {
  const window = pipeline.windowOf(renderInputTemplate(template, new Date(), timeZone));
  if (!window) return 1;
  const days = Math.round((Date.parse(window.end) - Date.parse(window.start)) / 86_400_000) + 1;
  return days >= 1 ? days : 1;
}

/** The pipeline's own deadline and time zone where it declares them, the deployment's settings otherwise. */
export function deliverySettingsOf(pipeline: Pick<DeliveredPipeline, 'deadline' | 'timeZone'>, settings: DeliverySettings): DeliverySettings {
  return { deadline: pipeline.deadline ?? settings.deadline, timeZone: pipeline.timeZone ?? settings.timeZone };
}

export async function readDeliveryPolicy(
  pool: pg.Pool,
  pipeline: DeliveredPipeline,
  settings: DeliverySettings = deliverySettingsFromEnv(env()),
): Promise<DeliveryPolicy> {
  const { rows } = await pool.query<{ trackingSince: Date | null; template: JsonValue | null; timeZone: string | null }>(
    `SELECT (SELECT min(created_at) FROM schedules WHERE namespace = $1 AND pipeline_name = $2) AS "trackingSince",
            d.input_template AS template, d.time_zone AS "timeZone"
       FROM (SELECT 1) one LEFT JOIN schedules d ON d.name = $3`,
    [pipeline.namespace, pipeline.name, pipeline.schedule.name],
  );
  const row = rows[0];
  const own = deliverySettingsOf(pipeline, settings);
  return {
    ...own,
    pipeline,
    windowDays: row?.template ? templateWindowDays(pipeline, row.template, row.timeZone ?? own.timeZone) : 1,
    trackingSince: row?.trackingSince ?? null,
  };
}
