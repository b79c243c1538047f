/**
 * Fault injection seen from real HTTP clients: every failure mode of the CRM, inventory and Slack
 * sources, changes taking effect without a restart, and the clients' error classification.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type DbHandle } from '@/db/client';
import { generateDemoData } from '@/lib/demo/generator/generate';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { updateChaosSettings, type ChaosPatch } from './chaos';
import { createCrmClient } from '@/lib/sources/crm-client';
import { createInventoryClient } from '@/lib/sources/inventory-client';
import { createSlackClient } from '@/lib/sources/slack-client';
import { parseRetryAfter, SourceError } from '@/lib/sources/source-error';

const CUSTOMERS = 700;
const ALL_ZERO = { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 };

let testDb: TestDatabase;
let server: TestServer;
let forgetAppDatabase: () => Promise<void>;
/** A separate pool, as another Nightshift process (a worker) would have. */
let otherProcess: DbHandle;
const crmHandlerStatuses: number[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  otherProcess = createPool(testDb.url, { max: 2 });
  await generateDemoData(
    { app: testDb.pool, source: testDb.pool },
    { customers: CUSTOMERS, products: 150, days: 3, orders: 500, seed: 11 },
  );
  const crmRoute = await import('@/app/demo/crm/users/route');
  server = await serveRoutes({
    // Wrapped to observe when the handler itself finishes, which the client cannot see after it gave up.
    '/demo/crm/users': {
      GET: async (request) => {
        const response = await crmRoute.GET(request);
        crmHandlerStatuses.push(response.status);
        return response;
      },
    },
    '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
  });
});

afterEach(async () => {
  await updateChaosSettings(testDb.db, { crm: ALL_ZERO, inventory: ALL_ZERO, slack: ALL_ZERO, orders_db: { failure_rate: 0 } });
});

afterAll(async () => {
  await server?.close();
  await otherProcess?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

const setChaos = (patch: ChaosPatch) => updateChaosSettings(otherProcess.db, patch);

async function captureSourceError(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 1;
      probe.close(() => resolve(port));
    });
  });
}

describe('fault injection settings', () => {
  it('take effect on the next request without a restart, whichever process changes them', async () => {
    const url = `${server.url}/demo/crm/users?limit=1`;
    expect((await fetch(url)).status).toBe(200);

    await setChaos({ crm: { failure_rate: 1 } });
    expect([500, 503]).toContain((await fetch(url)).status);
    // Inventory is a separate source: untouched.
    expect((await fetch(`${server.url}/demo/inventory/products?limit=1`)).status).toBe(200);

    await otherProcess.pool.query(`UPDATE demo.chaos_settings SET failure_rate = 0, rate_limit_rate = 1 WHERE source = 'crm'`);
    expect((await fetch(url)).status).toBe(429);

    await otherProcess.pool.query(`UPDATE demo.chaos_settings SET rate_limit_rate = 0 WHERE source = 'crm'`);
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('each failure mode, observed by a client', () => {
  it('failure_rate answers 500 and 503, which the CRM client reports as retryable server errors', async () => {
    await setChaos({ crm: { failure_rate: 1 } });
    const statuses = new Set<number>();
    for (let attempt = 0; attempt < 40 && statuses.size < 2; attempt += 1) {
      statuses.add((await fetch(`${server.url}/demo/crm/users?limit=1`)).status);
    }
    expect([...statuses].sort()).toEqual([500, 503]);

    const error = await captureSourceError(createCrmClient({ baseUrl: `${server.url}/demo/crm` }).fetchPage());
    expect(error.kind).toBe('server_error');
    expect(error.retryable).toBe(true);
    expect([500, 503]).toContain(error.status);
  });

  it('failure_rate 0.5 fails some requests and serves the others', async () => {
    await setChaos({ inventory: { failure_rate: 0.5 } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 60; attempt += 1) {
      statuses.push((await fetch(`${server.url}/demo/inventory/products?limit=1`)).status);
    }
    const failures = statuses.filter((status) => status >= 500).length;
    // Binomial(60, 0.5): outside 10..50 has probability below 1e-7.
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThan(50);
    expect(statuses.filter((status) => status === 200).length).toBe(60 - failures);
  });

  it('rate_limit_rate answers 429 with Retry-After seconds; the client turns it into retryAfterMs', async () => {
    await setChaos({ inventory: { rate_limit_rate: 1 } });
    const response = await fetch(`${server.url}/demo/inventory/products`);
    expect(response.status).toBe(429);
    const retryAfter = response.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(5);

    const error = await captureSourceError(createInventoryClient({ baseUrl: `${server.url}/demo/inventory` }).fetchPage());
    expect(error.kind).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(5000);
    expect((error.retryAfterMs ?? 0) % 1000).toBe(0);
  });

  it('hang_rate never answers: the client gives up at its timeout, and the sink records nothing', async () => {
    await setChaos({ slack: { hang_rate: 1 } });
    const before = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM demo.slack_messages');
    const started = performance.now();
    const error = await captureSourceError(
      createSlackClient({ webhookUrl: `${server.url}/demo/slack/webhook`, timeoutMs: 500 }).send({ text: 'never delivered' }),
    );
    const elapsed = performance.now() - started;
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(15_000);
    const after = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM demo.slack_messages');
    expect(after.rows[0]?.count).toBe(before.rows[0]?.count);
  });

  it('a hang is released when the client disconnects, so the server is not left holding it', async () => {
    await setChaos({ crm: { hang_rate: 1 } });
    crmHandlerStatuses.length = 0;
    const aborted = AbortSignal.timeout(300);
    await expect(fetch(`${server.url}/demo/crm/users`, { signal: aborted })).rejects.toThrow();
    await expect.poll(() => crmHandlerStatuses, { timeout: 10_000 }).toEqual([499]);
    await setChaos({ crm: { hang_rate: 0 } });
    // The server keeps serving, and closing it later (afterAll) does not wait for a hung handler.
    expect((await fetch(`${server.url}/demo/crm/users?limit=1`)).status).toBe(200);
  });

  it('latency_ms delays the answer, and a client timeout shorter than it fires', async () => {
    await setChaos({ crm: { latency_ms: 700 } });
    const started = performance.now();
    const response = await fetch(`${server.url}/demo/crm/users?limit=1`);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(650);

    const error = await captureSourceError(createCrmClient({ baseUrl: `${server.url}/demo/crm`, timeoutMs: 200 }).fetchPage());
    expect(error.kind).toBe('timeout');
  });

  it('the Slack sink fails like the others: a 503 is a retryable error for the Slack client', async () => {
    await setChaos({ slack: { failure_rate: 1 } });
    const error = await captureSourceError(createSlackClient({ webhookUrl: `${server.url}/demo/slack/webhook` }).send({ text: 'x' }));
    expect(error.kind).toBe('server_error');
    expect(error.retryable).toBe(true);
  });
});

describe('source clients without faults', () => {
  it('the CRM client follows next_cursor through every page', async () => {
    const client = createCrmClient({ baseUrl: `${server.url}/demo/crm`, pageSize: 100 });
    const ids: number[] = [];
    let pages = 0;
    for await (const page of client.pages()) {
      ids.push(...page.items.map((user) => user.user_id));
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(CUSTOMERS / 100));
    expect(new Set(ids).size).toBe(CUSTOMERS);
  });

  it('the inventory client reads products with numeric prices', async () => {
    const page = await createInventoryClient({ baseUrl: `${server.url}/demo/inventory`, pageSize: 10 }).fetchPage();
    expect(page.items).toHaveLength(10);
    expect(page.nextCursor).not.toBeNull();
    expect(page.items.every((product) => typeof product.price === 'number' && product.price > 0)).toBe(true);
  });

  it('the Slack client delivers a message the sink records', async () => {
    await createSlackClient({ webhookUrl: `${server.url}/demo/slack/webhook` }).send({ text: 'run finished', channel: '#data' });
    const stored = await testDb.pool.query<{ text: string }>(`SELECT text FROM demo.slack_messages WHERE channel = '#data'`);
    expect(stored.rows.map((row) => row.text)).toEqual(['run finished']);
  });
});

describe('client error classification', () => {
  it('other 4xx answers are permanent', async () => {
    const notFound = await captureSourceError(createCrmClient({ baseUrl: `${server.url}/no-such-crm` }).fetchPage());
    expect(notFound).toMatchObject({ kind: 'client_error', retryable: false, status: 404 });

    const badRequest = await captureSourceError(createCrmClient({ baseUrl: `${server.url}/demo/crm`, pageSize: 99_999 }).fetchPage());
    expect(badRequest).toMatchObject({ kind: 'client_error', retryable: false, status: 400 });
  });

  it('a refused connection is a retryable network error', async () => {
    const port = await closedPort();
    const error = await captureSourceError(createCrmClient({ baseUrl: `http://127.0.0.1:${port}/demo/crm` }).fetchPage());
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('an answer that breaks the contract is permanent', async () => {
    // A third-party system that answers 200 with the wrong shape, or with something that is not JSON.
    const broken = await serveRoutes({
      '/shape/products': { GET: () => Response.json({ products: [{ product_id: 'one' }], next_cursor: null }) },
      '/html/products': { GET: () => new Response('<html>maintenance</html>', { status: 200 }) },
    });
    try {
      const wrongShape = await captureSourceError(createInventoryClient({ baseUrl: `${broken.url}/shape` }).fetchPage());
      expect(wrongShape).toMatchObject({ kind: 'invalid_response', retryable: false });
      const notJson = await captureSourceError(createInventoryClient({ baseUrl: `${broken.url}/html` }).fetchPage());
      expect(notJson).toMatchObject({ kind: 'invalid_response', retryable: false });
    } finally {
      await broken.close();
    }
  });

  it("the caller's own abort is passed through, not reported as a source failure", async () => {
    await setChaos({ crm: { hang_rate: 1 } });
    const cancel = new AbortController();
    const pending = createCrmClient({ baseUrl: `${server.url}/demo/crm`, timeoutMs: 30_000 }).fetchPage(null, { signal: cancel.signal });
    setTimeout(() => cancel.abort(new Error('run cancelled')), 100);
    await expect(pending).rejects.toThrow('run cancelled');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
