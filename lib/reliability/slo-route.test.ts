/**
 * GET /api/slo through the real route, auth and cached answers, on a real PostgreSQL: viewers get the report,
 * anonymous callers do not, and bad parameters or an unknown pipeline are refused with a message naming them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import type { ReliabilityReport } from './slo';

let testDb: TestDatabase;
let server: TestServer;
let viewer: TestIdentity;
let forgetAppDatabase: () => Promise<void>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  viewer = await createIdentity(testDb.db, 'viewer');
  server = await serveRoutes({ '/api/slo': await import('@/app/api/slo/route') });
});

afterAll(async () => {
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

const get = (path: string, headers: Record<string, string> = viewer.bearer) => fetch(`${server.url}${path}`, { headers });

describe('GET /api/slo', () => {
  it('answers a viewer with the delivered pipeline by default, and every served pipeline on request', async () => {
    const response = await get('/api/slo?days=7');
    expect(response.status).toBe(200);
    const report = (await response.json()) as ReliabilityReport;
    expect(report).toMatchObject({ pipeline: 'data_pipeline.customer_analytics', delivered: true, deadline: '07:00' });
    expect(report.summary.key).toBe('7d');
    expect(report.days).toHaveLength(7);
    expect(report.periods.slice(0, 3).map((period) => period.key)).toEqual(['7d', '30d', '90d']);
    const other = await get('/api/slo?pipeline=data_pipeline.customer_retention');
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ pipeline: 'data_pipeline.customer_retention', delivered: false, days: [] });
  });

  it('revalidates with its ETag', async () => {
    const first = await get('/api/slo');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await get('/api/slo', { ...viewer.bearer, 'if-none-match': etag ?? '' })).status).toBe(304);
  });

  it('refuses anonymous callers, bad parameters and unknown pipelines with a clear message', async () => {
    expect((await get('/api/slo', {})).status).toBe(401);
    for (const [query, message] of [
      ['days=0', 'days must be at least 1'],
      ['days=91', 'days must be at most 90'],
      ['days=2.5', 'days must be a whole number of days'],
      ['pipeline=nope', 'pipeline must look like namespace.name'],
    ] as const) {
      const response = await get(`/api/slo?${query}`);
      expect(response.status, query).toBe(400);
      expect(JSON.stringify(await response.json()), query).toContain(message);
    }
    const unknown = await get('/api/slo?pipeline=data_pipeline.nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe(
      'pipeline data_pipeline.nope is not served here; known: data_pipeline.customer_analytics, data_pipeline.customer_retention',
    );
  });
});
