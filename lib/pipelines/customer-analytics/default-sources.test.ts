/**
 * SOURCE_TIMEOUT_MS reaches every source client the pipeline uses: against a real HTTP server that never answers,
 * the CRM, inventory and Slack clients each give up after the configured time with a retryable timeout error.
 * SOURCE_PAGE_SIZE reaches the paged clients: the server records the page size each request asked for.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { SourceError } from '@/lib/sources/source-error';
import { sourcesFromSettings } from './default-sources';

let testDb: TestDatabase;
let server: http.Server;
let base = '';
const hanging = new Set<http.ServerResponse>();
const requested: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Accepts every request and never answers.
  server = http.createServer((request, response) => {
    requested.push(request.url ?? '');
    hanging.add(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await testDb.drop();
});

async function elapsedFailure(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
  throw new Error('the call against a silent server succeeded');
}

describe('default sources', () => {
  it('applies SOURCE_TIMEOUT_MS to the CRM, inventory and Slack clients', async () => {
    const sources = sourcesFromSettings(testDb, {
      DATABASE_URL: testDb.url,
      SOURCE_DATABASE_URL: undefined,
      SOURCE_TIMEOUT_MS: 400,
      SOURCE_PAGE_SIZE: 1_234,
      CRM_URL: `${base}/crm`,
      INVENTORY_URL: `${base}/inventory`,
      SLACK_WEBHOOK_URL: `${base}/slack`,
    });
    for (const call of [() => sources.crm.fetchPage(null), () => sources.inventory.fetchPage(null), () => sources.slack.send({ text: 'hello' })]) {
      const { ms, error } = await elapsedFailure(call);
      expect(error).toBeInstanceOf(SourceError);
      expect(error).toMatchObject({ kind: 'timeout', retryable: true });
      expect(ms).toBeGreaterThanOrEqual(390);
      expect(ms).toBeLessThan(3_000);
    }
    expect(requested.slice(0, 2)).toEqual(['/crm/users?limit=1234', '/inventory/products?limit=1234']);
  });
});
