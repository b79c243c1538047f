/**
 * Keyset pagination for the demo APIs: the cursor is an opaque base64url of the last id returned,
 * `limit` defaults to 500 and may be at most 5000.
 */
import { z } from 'zod';

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 5_000;

export function encodeCursor(lastId: number): string {
  return Buffer.from(String(lastId), 'utf8').toString('base64url');
}

/** The id a cursor stands for, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,15}$/.test(decoded)) return undefined;
  const id = Number(decoded);
  // Only the canonical spelling is accepted, so one position has one cursor.
  return Number.isSafeInteger(id) && encodeCursor(id) === cursor ? id : undefined;
}

/** Empty values (`?cursor=&limit=`) mean "not given", as a first-page link usually spells them. */
export const emptyAsMissing = (value: unknown) => (value === '' ? undefined : value);

export const pageQuerySchema = z.strictObject({
  cursor: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .transform((value, context) => {
        const id = decodeCursor(value);
        if (id === undefined) {
          context.addIssue({ code: 'custom', message: 'malformed cursor: pass back a next_cursor value unchanged' });
          return z.NEVER;
        }
        return id;
      })
      .optional(),
  ),
  limit: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .regex(/^\d+$/, `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_PAGE_LIMIT))
      .optional(),
  ),
});

export interface PageRequest {
  /** Return rows with an id greater than this. */
  afterId?: number;
  limit: number;
}

export function pageRequest(query: z.infer<typeof pageQuerySchema>): PageRequest {
  return { afterId: query.cursor, limit: query.limit ?? DEFAULT_PAGE_LIMIT };
}

/** Splits `limit + 1` fetched rows into the page and its next cursor (null on the last page). */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => number): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: last === undefined ? null : encodeCursor(idOf(last)) };
}
