/**
 * The paged extracts' staging write (COPY): text that COPY's format must escape arrives intact, and a source that
 * serves a row twice stages it once (the first copy wins), as the INSERT … ON CONFLICT DO NOTHING before it did.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmUserRecord } from '@/lib/sources/crm-client';
import type { Page, PagedSource } from '@/lib/sources/paged-source';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { extractUsers } from './extract-paged';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

/** A source serving fixed pages in cursor order: the extract's contract, without an HTTP server in between. */
function pagesSource(pages: CrmUserRecord[][]): PagedSource<CrmUserRecord> {
  const fetchPage = async (cursor?: string | null): Promise<Page<CrmUserRecord>> => {
    const index = cursor ? Number(cursor) : 0;
    return { items: pages[index] ?? [], nextCursor: index + 1 < pages.length ? String(index + 1) : null };
  };
  return {
    fetchPage,
    async *pages() {
      for (let index = 0; index < pages.length; index++) yield fetchPage(index === 0 ? null : String(index));
    },
  };
}

const user = (id: number, name = `User ${id}`): CrmUserRecord => ({
  user_id: id,
  email: `user${id}@example.com`,
  name,
  country: 'NL',
  created_at: '2026-01-02T03:04:05.000Z',
});

async function extract(pages: CrmUserRecord[][]) {
  const taskId = randomUUID();
  const result = await extractUsers(testDb.pool, pagesSource(pages), {
    taskId,
    startDate: '2026-03-01',
    endDate: '2026-03-31',
    progress: () => undefined,
    signal: new AbortController().signal,
    fence: async () => undefined,
  });
  const { rows } = await testDb.pool.query<{ user_id: number; name: string; created_at: Date }>(
    'SELECT user_id::int, name, created_at FROM analytics.staging_users WHERE task_id = $1 ORDER BY user_id',
    [taskId],
  );
  return { result, rows };
}

describe('staging a page with COPY', () => {
  it('keeps tabs, newlines, backslashes and quotes in the text exactly', async () => {
    const awkward = 'Tab\there, line\nbreak, CR\r, back\\slash \\N, "quoted", ünïcode';
    const { result, rows } = await extract([[user(1, awkward), user(2)]]);
    expect(result.total_count).toBe(2);
    expect(rows.map((row) => row.name)).toEqual([awkward, 'User 2']);
    expect(rows[0]?.created_at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('stages a user the source repeats once, keeping the first copy, across pages and within a page', async () => {
    const { rows } = await extract([
      [user(1), user(2)],
      [user(2, 'Repeated on the next page'), user(3), user(3, 'Repeated in its page')],
    ]);
    expect(rows.map((row) => [row.user_id, row.name])).toEqual([
      [1, 'User 1'],
      [2, 'User 2'],
      [3, 'User 3'],
    ]);
  });
});
