/**
 * A reader for a cursor-paginated source (`?cursor=&limit=` → `{ <items>, next_cursor }`), the contract
 * the CRM and inventory APIs share. One page per call, so the pipeline can retry a failed page alone.
 */
import { z } from 'zod';
import { getJson, joinUrl, type RequestOptions } from './http-client';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedSource<T> {
  /** Fetches one page; `cursor` is the previous page's nextCursor (omit for the first). */
  fetchPage(cursor?: string | null, options?: { signal?: AbortSignal }): Promise<Page<T>>;
  /** Follows next_cursor to the end, one page at a time. */
  pages(options?: { signal?: AbortSignal }): AsyncGenerator<Page<T>>;
}

export interface PagedSourceOptions {
  baseUrl: string;
  pageSize?: number;
  timeoutMs?: number;
}

/** What `next_cursor` may be: a non-empty opaque string, or null on the last page. */
export const nextCursorSchema = z.string().min(1).nullable();

export function createPagedSource<T, P extends { next_cursor: string | null }>(
  source: string,
  path: string,
  pageSchema: z.ZodType<P>,
  itemsOf: (page: P) => T[],
  options: PagedSourceOptions,
): PagedSource<T> {
  const fetchPage: PagedSource<T>['fetchPage'] = async (cursor, call = {}) => {
    const url = new URL(joinUrl(options.baseUrl, path));
    if (cursor) url.searchParams.set('cursor', cursor);
    if (options.pageSize) url.searchParams.set('limit', String(options.pageSize));
    const body = await getJson(url.toString(), pageSchema, { source, timeoutMs: options.timeoutMs, signal: call.signal } satisfies RequestOptions);
    return { items: itemsOf(body), nextCursor: body.next_cursor };
  };
  return {
    fetchPage,
    async *pages(call = {}) {
      let cursor: string | null = null;
      do {
        const page: Page<T> = await fetchPage(cursor, call);
        yield page;
        cursor = page.nextCursor;
      } while (cursor);
    },
  };
}
