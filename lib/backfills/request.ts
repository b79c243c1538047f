/**
 * Asking for a backfill: the request's validation (one schema for the form, the API and the scheduler's catch-up),
 * the days it covers, and its creation.
 *
 * Each day D gets the schedule's window ending on D (deliveryWindow of D + 1; D itself for the daily schedule).
 * Days whose window already has a published snapshot are skipped unless `rebuild_published`. The backfill and its
 * days are written in one transaction; a concurrent request for the same pipeline and range waits on the partial
 * unique index and then finds the first one, so two identical requests at once create one backfill.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { withTransaction } from '@/db/transaction';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { deliveryWindow, type DataWindow, type DeliveredPipeline } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import type { PipelineDefinition, PipelineRegistry } from '@/lib/engine';
import { env } from '@/lib/env';
import { addDays, daysBetween, todayUtc } from '@/lib/time/zoned-time';

export const MAX_BACKFILL_PARALLEL = 32;
/** A backfill launches one run per day; a year and a day is the most one request may ask for. */
export const MAX_BACKFILL_DAYS = 366;

/** What backfills work with: the registry runs are launched through, and the delivered pipeline whose days they fill. */
export interface BackfillPipelines {
  registry: PipelineRegistry;
  delivered: DeliveredPipeline;
}
const isoDate = z.iso.date({ message: 'must be a real date in YYYY-MM-DD form' });

export const backfillRequestSchema = z
  .object({
    /** `namespace.name` or just the name of the delivered pipeline (the default). */
    pipeline: z.string().trim().min(1).max(200).optional(),
    start_date: isoDate,
    end_date: isoDate,
    max_parallel: z.number().int().min(1).max(MAX_BACKFILL_PARALLEL, `must be at most ${MAX_BACKFILL_PARALLEL}`).optional(),
    rebuild_published: z.boolean().default(false),
    reason: z.string().trim().min(3, 'must say why, in at least 3 characters').max(2000),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.start_date > request.end_date) ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must be on or after start_date' });
    if (request.end_date > todayUtc()) ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be after today (UTC)' });
    if (daysBetween(request.start_date, request.end_date) + 1 > MAX_BACKFILL_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: `must be at most ${MAX_BACKFILL_DAYS} days from start_date, both included` });
    }
  });
export type BackfillRequest = z.input<typeof backfillRequestSchema>;
type ParsedRequest = z.output<typeof backfillRequestSchema>;

export type BackfillOrigin = 'operator' | 'catch_up';

export interface CreatedBackfill {
  id: string;
  /** False when an active backfill of the same pipeline and range existed: that one is returned. */
  created: boolean;
  days: number;
  skipped: number;
}

export function resolvePipeline(registry: PipelineRegistry, pipeline: string): PipelineDefinition | undefined {
  const dot = pipeline.lastIndexOf('.');
  if (dot > 0) return registry.get(pipeline.slice(0, dot), pipeline.slice(dot + 1));
  const matches = registry.list().filter((definition) => definition.name === pipeline);
  return new Set(matches.map((definition) => definition.namespace)).size === 1 ? matches[0] : undefined;
}

export function daysOf(start: string, end: string): string[] {
  const days: string[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) days.push(day);
  return days;
}

type Issues = { path: string; message: string }[];

/** Checks what zod cannot alone: the pipeline exists and accepts every day's input. */
function checkAgainstPipeline(pipelines: BackfillPipelines, request: ParsedRequest, windows: DataWindow[]): { definition: PipelineDefinition } | { issues: Issues } {
  const { delivered } = pipelines;
  const deliveredRef = `${delivered.namespace}.${delivered.name}`;
  const definition = resolvePipeline(pipelines.registry, request.pipeline ?? deliveredRef);
  if (!definition) return { issues: [{ path: 'pipeline', message: `no pipeline "${request.pipeline}" is registered` }] };
  // A backfill's runs carry one day's window each, built the delivered pipeline's way: other pipelines have no days.
  if (definition.namespace !== delivered.namespace || definition.name !== delivered.name) {
    return { issues: [{ path: 'pipeline', message: `"${request.pipeline}" has no daily delivery to backfill; backfills fill the days of ${deliveredRef}` }] };
  }
  for (const [index, window] of windows.entries()) {
    const parsed = definition.input.safeParse(delivered.inputFor(window, { recompute: request.rebuild_published }));
    if (!parsed.success) {
      // The first and the last day are the ones that can break a bound; name the field the person typed.
      const path = index === 0 ? 'start_date' : 'end_date';
      return { issues: parsed.error.issues.map((issue) => ({ path, message: `the run for ${window.end}: ${issue.path.join('.')} ${issue.message}` })) };
    }
  }
  return { definition };
}

export type CreateBackfillResult = { ok: true; backfill: CreatedBackfill } | { ok: false; issues: Issues };

export async function createBackfill(
  db: DbHandle,
  pipelines: BackfillPipelines,
  body: unknown,
  who: AuditActor & { origin: BackfillOrigin },
): Promise<CreateBackfillResult> {
  const parsed = backfillRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
  const request = parsed.data;
  const policy = await readDeliveryPolicy(db.pool, pipelines.delivered);
  const days = daysOf(request.start_date, request.end_date);
  const windows = days.map((day) => deliveryWindow(addDays(day, 1), policy));
  const checked = checkAgainstPipeline(pipelines, request, windows);
  if ('issues' in checked) return { ok: false, issues: checked.issues };
  const { definition } = checked;
  const maxParallel = request.max_parallel ?? env().BACKFILL_MAX_PARALLEL;

  const backfill = await withTransaction(db.pool, async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO backfills (namespace, pipeline_name, start_date, end_date, max_parallel, rebuild_published, reason, requested_by, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (namespace, pipeline_name, start_date, end_date) WHERE status = 'active' DO NOTHING
       RETURNING id`,
      [definition.namespace, definition.name, request.start_date, request.end_date, maxParallel, request.rebuild_published, request.reason, who.actorLabel, who.origin],
    );
    const id = inserted.rows[0]?.id;
    if (!id) return existingBackfill(client, definition, request);
    // Skipped days are decided here, once: a day published later by someone else still runs (the operator asked).
    const dayRows = await client.query<{ state: string }>(
      `INSERT INTO backfill_days (backfill_id, day, window_start, window_end, state, skipped_snapshot_id)
       SELECT $1, d.day, d.window_start, d.window_end,
              CASE WHEN published.id IS NULL THEN 'waiting' ELSE 'skipped' END, published.id
         FROM unnest($2::date[], $3::date[], $4::date[]) AS d(day, window_start, window_end)
         LEFT JOIN LATERAL (
           SELECT s.id FROM analytics.dashboard_snapshots s
            WHERE NOT $5 AND s.window_start = d.window_start AND s.window_end = d.window_end AND s.state = 'published'
            ORDER BY s.published_at DESC LIMIT 1) published ON true
       RETURNING state`,
      [id, days, windows.map((window) => window.start), windows.map((window) => window.end), request.rebuild_published],
    );
    const skipped = dayRows.rows.filter((row) => row.state === 'skipped').length;
    await recordAudit(client, {
      ...who,
      action: 'backfill.create',
      target: `backfill:${id}`,
      details: {
        pipeline: `${definition.namespace}.${definition.name}`,
        range: `${request.start_date}..${request.end_date}`,
        maxParallel,
        rebuildPublished: request.rebuild_published,
        reason: request.reason,
        origin: who.origin,
        skipped,
      },
    });
    return { id, created: true, days: dayRows.rowCount ?? 0, skipped };
  });
  return { ok: true, backfill };
}

async function existingBackfill(client: pg.ClientBase, definition: PipelineDefinition, request: ParsedRequest): Promise<CreatedBackfill> {
  const { rows } = await client.query<{ id: string; days: number; skipped: number }>(
    `SELECT b.id, count(d.day)::int AS days, count(d.day) FILTER (WHERE d.state = 'skipped')::int AS skipped
       FROM backfills b LEFT JOIN backfill_days d ON d.backfill_id = b.id
      WHERE b.namespace = $1 AND b.pipeline_name = $2 AND b.start_date = $3 AND b.end_date = $4 AND b.status = 'active'
      GROUP BY b.id`,
    [definition.namespace, definition.name, request.start_date, request.end_date],
  );
  const row = rows[0];
  // The conflicting backfill finished between our insert and this read: the caller may simply ask again.
  if (!row) throw new UserFacingError('A backfill of this range just finished; send the request again to start a new one.', 409);
  return { id: row.id, created: false, days: row.days, skipped: row.skipped };
}
