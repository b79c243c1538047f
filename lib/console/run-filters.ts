/**
 * The /runs list's filters and page, from URL search parameters (the page) or a query string (/api/live/runs).
 * Unknown values are refused with a message rather than ignored, so a mistyped link does not silently show all.
 */
import { z } from 'zod';
import { TASK_STATUSES, type ListTasksFilters } from '@/lib/engine';

export const RUNS_PAGE_SIZE = 20;

export const CREATED_WITHIN = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 } as const;
export type CreatedWithin = keyof typeof CREATED_WITHIN;

const blankAsMissing = (value: unknown) => (value === '' || value === null ? undefined : value);

export const runListQuerySchema = z.object({
  status: z.preprocess(blankAsMissing, z.enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(', ')}` }).optional()),
  /** `namespace.name`, as the list shows it. */
  pipeline: z.preprocess(blankAsMissing, z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'pipeline must look like namespace.name').optional()),
  created: z.preprocess(blankAsMissing, z.enum(['24h', '7d', '30d'], { error: 'created must be 24h, 7d or 30d' }).optional()),
  page: z.preprocess(
    blankAsMissing,
    z.coerce.number({ error: 'page must be a whole number' }).int('page must be a whole number').min(1, 'page starts at 1').max(100_000).default(1),
  ),
});
export type RunListQuery = z.infer<typeof runListQuerySchema>;

/** Search params as Next hands them to a page (a repeated key becomes an array: the first value wins). */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
}

export function toListTasksFilters(query: RunListQuery, now: Date = new Date()): ListTasksFilters {
  const [namespace, name] = query.pipeline ? query.pipeline.split('.') : [];
  return {
    status: query.status,
    namespace,
    name,
    createdFrom: query.created ? new Date(now.getTime() - CREATED_WITHIN[query.created] * 3_600_000) : undefined,
    limit: RUNS_PAGE_SIZE,
    offset: (query.page - 1) * RUNS_PAGE_SIZE,
  };
}
