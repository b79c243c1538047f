/** With DEMO_SOURCES off every /demo/* endpoint answers 404, before touching the database or faults. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';

let testDb: TestDatabase;
let server: TestServer;
let forgetAppDatabase: () => Promise<void>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  // env() is parsed on first use in this file's module graph, so setting it before the imports is enough.
  process.env.DEMO_SOURCES = 'off';
  server = await serveRoutes({
    '/demo/crm/users': await import('@/app/demo/crm/users/route'),
    '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
    '/demo/slack/messages': await import('@/app/demo/slack/messages/route'),
  });
});

afterAll(async () => {
  delete process.env.DEMO_SOURCES;
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('DEMO_SOURCES=off', () => {
  it.each([
    ['GET', '/demo/crm/users'],
    ['GET', '/demo/inventory/products?limit=bad'],
    ['POST', '/demo/slack/webhook'],
    ['GET', '/demo/slack/messages'],
  ])('%s %s answers 404 JSON', async (method, path) => {
    const response = await fetch(`${server.url}${path}`, { method, body: method === 'POST' ? '{"text":"x"}' : undefined });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('DEMO_SOURCES');
  });

  it('records nothing in the Slack sink', async () => {
    const stored = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM demo.slack_messages');
    expect(stored.rows[0]?.count).toBe(0);
  });
});
