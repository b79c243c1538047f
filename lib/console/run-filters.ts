/**
 * The /runs list's filters and page cursor, from URL search parameters (the page) or a query string (/api/live/runs).
 * Unknown values are refused with a message rather than ignored, so a mistyped link does not silently show all.
 */
import { z } from 'zod';
import { TASK_STATUSES, type ListTasksFilters } from '@/lib/engine';
import { addDays } from '@/lib/time/zoned-time';
import { decodeRunCursor, runCursorSchema } from './run-cursor';

export const RUNS_PAGE_SIZE = 20;

export const CREATED_WITHIN = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 } as const;
export type CreatedWithin = keyof typeof CREATED_WITHIN;

const blankAsMissing = (value: unknown) => (value === '' || value === null ? undefined : value);

const UTC_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCalendarDay = (day: string) => UTC_DAY.test(day) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
const utcDaySchema = (name: string) =>
  z.string().refine(isCalendarDay, `${name} must be a date such as 2026-12-07`);

/** A run id or its beginning, as copied from the list (dashes and case do not matter). */
const runIdSchema = z
  .string()
  .transform((text) => text.trim().toLowerCase().replaceAll('-', ''))
  .pipe(z.string().regex(/^[0-9a-f]{1,32}$/, 'run id must be a run id or its first characters, such as 0193ab12'));

export const runListQuerySchema = z
  .object({
    status: z.preprocess(blankAsMissing, z.enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(', ')}` }).optional()),
    /** `namespace.name`, as the list shows it. */
    pipeline: z.preprocess(blankAsMissing, z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'pipeline must look like namespace.name').optional()),
    /** The pipeline version a run was launched on, as the registry names it (`1`, `2.1.0`). */
    version: z.preprocess(blankAsMissing, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'version must be a version name such as 2 or 1.4.0').optional()),
    created: z.preprocess(blankAsMissing, z.enum(['24h', '7d', '30d'], { error: 'created must be 24h, 7d or 30d' }).optional()),
    /** Created on or after this UTC day (the list shows times in UTC). */
    created_from: z.preprocess(blankAsMissing, utcDaySchema('created_from').optional()),
    /** Created on or before this UTC day; equal to created_from, the runs of one day. */
    created_to: z.preprocess(blankAsMissing, utcDaySchema('created_to').optional()),
    id: z.preprocess(blankAsMissing, runIdSchema.optional()),
    /** The class of a step's last failure, as the run page shows it (HttpError, TimeoutError). */
    error: z.preprocess(blankAsMissing, z.string().regex(/^[\w$.:-]{1,200}$/, 'error must be an error class such as TimeoutError').optional()),
    after: z.preprocess(blankAsMissing, runCursorSchema('after').optional()),
    before: z.preprocess(blankAsMissing, runCursorSchema('before').optional()),
  })
  // Version names repeat across pipelines ("1"), so a version alone would mix unrelated pipelines.
  .refine((query) => query.version === undefined || query.pipeline !== undefined, { path: ['version'], message: 'version needs a pipeline: choose the pipeline too' })
  .refine((query) => !query.created_from || !query.created_to || query.created_from <= query.created_to, {
    path: ['created_to'],
    message: 'created_to must be on or after created_from',
  })
  .refine((query) => query.after === undefined || query.before === undefined, { path: ['before'], message: 'a page link has after or before, not both' });
export type RunListQuery = z.infer<typeof runListQuerySchema>;

/** Search params as Next hands them to a page (a repeated key becomes an array: the first value wins). */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
}

const startOfUtcDay = (day: string) => new Date(`${day}T00:00:00Z`);
const latest = (...dates: (Date | undefined)[]) =>
  dates.reduce<Date | undefined>((found, date) => (date && (!found || date > found) ? date : found), undefined);

export function toListTasksFilters(query: RunListQuery, now: Date = new Date()): ListTasksFilters {
  const [namespace, name] = query.pipeline ? query.pipeline.split('.') : [];
  const within = query.created ? new Date(now.getTime() - CREATED_WITHIN[query.created] * 3_600_000) : undefined;
  return {
    status: query.status,
    namespace,
    name,
    version: query.version,
    createdFrom: latest(within, query.created_from ? startOfUtcDay(query.created_from) : undefined),
    createdBefore: query.created_to ? startOfUtcDay(addDays(query.created_to, 1)) : undefined,
    idPrefix: query.id,
    errorClass: query.error,
    after: query.after ? (decodeRunCursor(query.after) ?? undefined) : undefined,
    before: query.before ? (decodeRunCursor(query.before) ?? undefined) : undefined,
    limit: RUNS_PAGE_SIZE,
  };
}

/** The pipelines this deployment serves, each with its registered versions, newest first. */
export interface PipelineVersions {
  pipeline: string;
  versions: string[];
}

const newestFirst = (a: string, b: string) => b.localeCompare(a, 'en', { numeric: true });

export function pipelineCatalog(definitions: readonly { namespace: string; name: string; version: string }[]): PipelineVersions[] {
  const versions = new Map<string, Set<string>>();
  for (const definition of definitions) {
    const pipeline = `${definition.namespace}.${definition.name}`;
    versions.set(pipeline, (versions.get(pipeline) ?? new Set()).add(definition.version));
  }
  return [...versions.entries()]
    .map(([pipeline, names]) => ({ pipeline, versions: [...names].sort(newestFirst) }))
    .sort((a, b) => a.pipeline.localeCompare(b.pipeline));
}

/**
 * The page's reading of its search parameters: every filter that is malformed, or names a pipeline or version the
 * registry does not serve, is dropped with a message saying why, and the others still apply.
 */
export function parseRunListQuery(
  params: Record<string, string | undefined>,
  catalog: readonly PipelineVersions[],
): { query: RunListQuery; problems: string[] } {
  const problems: string[] = [];
  let values = { ...params };
  let parsed = runListQuerySchema.safeParse(values);
  // Each round drops the keys an issue names; a version refused for want of a pipeline goes in the second round.
  for (let round = 0; !parsed.success && round < 3; round += 1) {
    const dropped = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')));
    problems.push(...parsed.error.issues.map((issue) => issue.message));
    values = Object.fromEntries(Object.entries(values).filter(([key]) => !dropped.has(key)));
    parsed = runListQuerySchema.safeParse(values);
  }
  const query: RunListQuery = parsed.success ? parsed.data : {};
  if (query.pipeline === undefined) return { query, problems };
  const served = catalog.find((entry) => entry.pipeline === query.pipeline);
  if (!served) {
    const known = catalog.map((entry) => entry.pipeline).join(', ') || 'none';
    problems.push(`no pipeline ${query.pipeline} is registered (registered: ${known})`);
    return { query: { ...query, pipeline: undefined, version: undefined }, problems };
  }
  if (query.version !== undefined && !served.versions.includes(query.version)) {
    problems.push(`${query.pipeline} has no version ${query.version} registered (versions: ${served.versions.join(', ')})`);
    return { query: { ...query, version: undefined }, problems };
  }
  return { query, problems };
}
