/**
 * GET /api/live/runs over real HTTP: the list's JSON keeps `total` (now with `totalExact`), pages by the cursors it
 * hands out, and refuses a malformed cursor or filter with a 400 naming it — never a 500 from the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAppDatabase } from '@/lib/auth/testing/app-database';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { serveRoutes, type TestServer } from '@/tests/setup/http';
import type { RunListView } from './views';

describe('GET /api/live/runs', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let server: TestServer;
  let viewer: TestIdentity;

  beforeAll(async () => {
    appDb = await useAppDatabase();
    viewer = await createIdentity(appDb.db, 'viewer');
    // 25 runs, more than a page, written the way the engine writes tasks (set-based, one per minute).
    await appDb.pool.query(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at)
       SELECT 'api', 'listed', '1', 'completed', '{}', 'tester', now() - g * interval '1 minute' FROM generate_series(1, 25) AS g`,
    );
    server = await serveRoutes({ '/api/live/runs': await import('@/app/api/live/runs/route') });
  });
  afterAll(async () => {
    await server?.close();
    await appDb?.release();
  });

  const get = (search: string) => fetch(`${server.url}/api/live/runs${search}`, { headers: viewer.bearer });

  it('pages with the cursors it returns: 20, then the other 5, then back', async () => {
    const first = (await (await get('')).json()) as RunListView;
    expect(first.runs).toHaveLength(20);
    expect(first).toMatchObject({ totalExact: false, newer: null, pageSize: 20 });
    expect(first.total).toBeGreaterThanOrEqual(21);
    const second = (await (await get(`?after=${first.older}`)).json()) as RunListView;
    expect(second.runs).toHaveLength(5);
    expect(second.older).toBeNull();
    expect(new Set([...first.runs, ...second.runs].map((run) => run.id)).size).toBe(25);
    const back = (await (await get(`?before=${second.newer}`)).json()) as RunListView;
    expect(back.runs.map((run) => run.id)).toEqual(first.runs.map((run) => run.id));
  });

  it('answers 400 naming the parameter for a malformed cursor, a forged one, both cursors, or a bad filter', async () => {
    const forged = Buffer.from('2026-12-07T11:08:01.123456Z_not-a-uuid').toString('base64url');
    for (const [search, path] of [
      ['?after=garbage!!', 'after'],
      [`?before=${forged}`, 'before'],
      [`?after=${forged.slice(0, 10)}`, 'after'],
      ['?id=xyz', 'id'],
      ['?created_from=2026-02-30', 'created_from'],
      ['?error=two%20words', 'error'],
    ] as const) {
      const response = await get(search);
      expect(response.status, search).toBe(400);
      const body = (await response.json()) as { issues: { path: string }[] };
      expect(body.issues.map((issue) => issue.path), search).toContain(path);
    }
    const first = (await (await get('')).json()) as RunListView;
    expect((await get(`?after=${first.older}&before=${first.older}`)).status).toBe(400);
  });
});
