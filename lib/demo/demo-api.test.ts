/**
 * The demo source APIs and /api/chaos over real HTTP against a real PostgreSQL: contracts, keyset
 * pagination, the Slack sink, and bad input answered with 400 JSON (never 500).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '@/lib/demo/generator/generate';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';

const CUSTOMERS = 1_234;
/** /api/chaos is operator-only: the API_TOKEN environment token is the simplest operator credential. */
const API_TOKEN = `test-token-${randomBytes(16).toString('hex')}`;
const operator = { Authorization: `Bearer ${API_TOKEN}` };
/** Reading the Slack sink's messages needs the viewer role (an operator token includes it). */
const viewer = operator;
const PRODUCTS = 321;

let testDb: TestDatabase;
let server: TestServer;
let forgetAppDatabase: () => Promise<void>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  process.env.API_TOKEN = API_TOKEN;
  await generateDemoData(
    { app: testDb.pool, source: testDb.pool },
    { customers: CUSTOMERS, products: PRODUCTS, days: 5, orders: 2_000, seed: 3 },
  );
  server = await serveRoutes({
    '/demo/crm/users': await import('@/app/demo/crm/users/route'),
    '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
    '/demo/slack/messages': await import('@/app/demo/slack/messages/route'),
    '/api/chaos': await import('@/app/api/chaos/route'),
  });
});

afterAll(async () => {
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

interface ErrorBody {
  error: string;
  issues: Array<{ path: string; message: string }>;
}

async function expectBadRequest(response: Response): Promise<ErrorBody> {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as ErrorBody;
  expect(typeof body.error).toBe('string');
  expect(body.issues.length).toBeGreaterThan(0);
  return body;
}

describe('GET /demo/crm/users', () => {
  it('pages through every user in id order by following next_cursor', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=500&cursor=${cursor}` : '?limit=500';
      const response = await fetch(`${server.url}/demo/crm/users${query}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { users: Array<Record<string, unknown>>; next_cursor: string | null };
      for (const user of body.users) {
        expect(Object.keys(user).sort()).toEqual(['country', 'created_at', 'email', 'name', 'user_id']);
        expect(Number.isNaN(Date.parse(String(user.created_at)))).toBe(false);
        seen.push(Number(user.user_id));
      }
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(Math.ceil(CUSTOMERS / 500));
    expect(seen).toHaveLength(CUSTOMERS);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(CUSTOMERS);
  });

  it('serves each user exactly as stored: email, name, country, and created_at in ISO 8601 UTC with milliseconds', async () => {
    const response = await fetch(`${server.url}/demo/crm/users?limit=3`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { users: Array<Record<string, unknown>> };
    const stored = await testDb.pool.query<{ user_id: number; email: string; name: string; country: string; created_at: Date }>(
      'SELECT user_id::int, email, name, country, created_at FROM demo.crm_users ORDER BY user_id LIMIT 3',
    );
    expect(body.users).toEqual(stored.rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() })));
  });

  it('uses limit 500 by default and accepts empty cursor and limit', async () => {
    const response = await fetch(`${server.url}/demo/crm/users?cursor=&limit=`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { users: unknown[]; next_cursor: string | null };
    expect(body.users).toHaveLength(500);
    expect(body.next_cursor).toEqual(expect.any(String));
  });

  it('answers the last page with next_cursor null', async () => {
    const response = await fetch(`${server.url}/demo/crm/users?limit=5000`);
    const body = (await response.json()) as { users: unknown[]; next_cursor: string | null };
    expect(body.users).toHaveLength(CUSTOMERS);
    expect(body.next_cursor).toBeNull();
  });

  it.each([
    ['an unknown parameter', '?page=2', 'page'],
    ['a malformed cursor', '?cursor=not*base64', 'cursor'],
    ['a cursor that decodes to something else', `?cursor=${Buffer.from('abc').toString('base64url')}`, 'cursor'],
    ['a non-canonical cursor', `?cursor=${Buffer.from('007').toString('base64url')}`, 'cursor'],
    ['limit 0', '?limit=0', 'limit'],
    ['limit above 5000', '?limit=5001', 'limit'],
    ['a non-numeric limit', '?limit=ten', 'limit'],
    ['a fractional limit', '?limit=1.5', 'limit'],
    ['a parameter given twice', '?limit=10&limit=20', 'limit'],
  ])('answers 400 JSON for %s', async (_label, query, path) => {
    const body = await expectBadRequest(await fetch(`${server.url}/demo/crm/users${query}`));
    expect(body.issues.map((issue) => issue.path)).toContain(path);
  });

  it('lists every issue, not only the first', async () => {
    const body = await expectBadRequest(await fetch(`${server.url}/demo/crm/users?limit=0&cursor=%%%`));
    const paths = body.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['limit', 'cursor']));
  });
});

describe('GET /demo/inventory/products', () => {
  it('pages through every product with the documented fields', async () => {
    let cursor: string | null = null;
    const products: Array<Record<string, unknown>> = [];
    do {
      const response: Response = await fetch(`${server.url}/demo/inventory/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { products: Array<Record<string, unknown>>; next_cursor: string | null };
      products.push(...body.products);
      cursor = body.next_cursor;
    } while (cursor);
    expect(products).toHaveLength(PRODUCTS);
    const first = products[0] ?? {};
    expect(Object.keys(first).sort()).toEqual(['category', 'name', 'price', 'product_id', 'sku', 'stock_on_hand']);
    expect(typeof first.price).toBe('number');
    const fromDb = await testDb.pool.query<{ sum: string }>('SELECT sum(price)::text AS sum FROM demo.inventory_products');
    const apiSum = products.reduce((sum, product) => sum + Math.round(Number(product.price) * 100), 0);
    expect(apiSum).toBe(Math.round(Number(fromDb.rows[0]?.sum) * 100));
  });

  it('answers 400 JSON for an unknown parameter and a malformed cursor', async () => {
    await expectBadRequest(await fetch(`${server.url}/demo/inventory/products?sort=name`));
    await expectBadRequest(await fetch(`${server.url}/demo/inventory/products?cursor=====`));
  });
});

describe('the Slack sink', () => {
  it('answers `ok` like Slack and records the message', async () => {
    const payload = { text: 'Pipeline customer_analytics failed', channel: '#alerts', username: 'nightshift' };
    const response = await fetch(`${server.url}/demo/slack/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const stored = await testDb.pool.query<{ channel: string; text: string; payload: unknown }>(
      'SELECT channel, text, payload FROM demo.slack_messages ORDER BY id DESC LIMIT 1',
    );
    expect(stored.rows[0]).toEqual({ channel: '#alerts', text: payload.text, payload });
  });

  it('accepts the form-encoded `payload=` variant and blocks without text', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Done*' } }];
    const response = await fetch(`${server.url}/demo/slack/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payload: JSON.stringify({ blocks }) }).toString(),
    });
    expect(response.status).toBe(200);
    const stored = await testDb.pool.query<{ payload: { blocks: unknown } }>('SELECT payload FROM demo.slack_messages ORDER BY id DESC LIMIT 1');
    expect(stored.rows[0]?.payload.blocks).toEqual(blocks);
  });

  it.each([
    ['not JSON', '{"text": '],
    ['no text, blocks or attachments', '{"channel": "#x"}'],
    ['text of the wrong type', '{"text": 42}'],
    ['a JSON array', '[1, 2]'],
  ])('answers 400 JSON for %s', async (_label, body) => {
    await expectBadRequest(await fetch(`${server.url}/demo/slack/webhook`, { method: 'POST', body }));
  });

  it('lists messages newest first with a `before` continuation', async () => {
    for (const text of ['one', 'two', 'three']) {
      await fetch(`${server.url}/demo/slack/webhook`, { method: 'POST', body: JSON.stringify({ text }) });
    }
    const first = (await (await fetch(`${server.url}/demo/slack/messages?limit=2`, { headers: viewer })).json()) as {
      messages: Array<{ id: number; text: string }>;
      next_before: number | null;
    };
    expect(first.messages.map((message) => message.text)).toEqual(['three', 'two']);
    expect(first.next_before).toBe(first.messages[1]?.id);
    const second = (await (await fetch(`${server.url}/demo/slack/messages?limit=1&before=${first.next_before}`, { headers: viewer })).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(second.messages.map((message) => message.text)).toEqual(['one']);
    await expectBadRequest(await fetch(`${server.url}/demo/slack/messages?before=abc`, { headers: viewer }));
    await expectBadRequest(await fetch(`${server.url}/demo/slack/messages?channel=x`, { headers: viewer }));
    expect((await fetch(`${server.url}/demo/slack/messages?limit=&before=`, { headers: viewer })).status).toBe(200);
  });
});

describe('the Slack sink is safe to leave public', () => {
  const count = async () => Number((await testDb.pool.query<{ n: string }>('SELECT count(*) AS n FROM demo.slack_messages')).rows[0]?.n);
  const post = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
    fetch(`${server.url}/demo/slack/webhook`, { method: 'POST', headers, body });

  it('lets only viewers read what it received (run summaries and alerts): anonymous is 401', async () => {
    const anonymous = await fetch(`${server.url}/demo/slack/messages`);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(await anonymous.json())).not.toContain('"messages"');
    const signedIn = await fetch(`${server.url}/demo/slack/messages`, { headers: viewer });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a 1 MB body with 413 and stores nothing, with or without Content-Length', async () => {
    const before = await count();
    const huge = JSON.stringify({ text: 'x'.repeat(1024 * 1024) });
    const declared = await post(huge);
    expect(declared.status).toBe(413);
    // Streamed without a length: refused once 64 KiB have arrived, not after buffering the rest.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text":"'));
        for (let index = 0; index < 16; index += 1) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/demo/slack/webhook`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit & { duplex: 'half' });
    expect(streamed.status).toBe(413);
    expect(await count()).toBe(before);
  });

  it.each([
    ['a NUL character', JSON.stringify({ text: 'a\u0000b' })],
    ['a NUL in a key', '{"text": "hi", "blocks": [{"\\u0000": 1}]}'],
    ['a lone surrogate', '{"text": "broken \\ud800 text"}'],
    ['5,000-deep nesting', `{"text": "deep", "blocks": [${'['.repeat(5000)}${']'.repeat(5000)}]}`],
    ['a form body without payload', 'text=hello'],
  ])('answers 400 for %s and stores nothing', async (_label, body) => {
    const before = await count();
    const headers: Record<string, string> = { 'Content-Type': body.startsWith('text=') ? 'application/x-www-form-urlencoded' : 'application/json' };
    await expectBadRequest(await post(body, headers));
    expect(await count()).toBe(before);
  });

  it("keeps only Slack's fields", async () => {
    const response = await post(`{"text": "kept", "channel": "#data-team", "username": "bot", "dump": "${'x'.repeat(1000)}", "__proto__": {"polluted": true}}`);
    expect(response.status).toBe(200);
    const stored = await testDb.pool.query<{ payload: Record<string, unknown> }>('SELECT payload FROM demo.slack_messages ORDER BY id DESC LIMIT 1');
    expect(stored.rows[0]?.payload).toEqual({ text: 'kept', channel: '#data-team', username: 'bot' });
  });

  it('rate-limits each client address (429 with Retry-After), storing nothing once limited', async () => {
    let limited: Response | undefined;
    for (let index = 0; index < 130 && !limited; index += 1) {
      const response = await post(JSON.stringify({ text: `flood ${index}` }));
      if (response.status === 429) limited = response;
      else await response.arrayBuffer();
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    const before = await count();
    expect((await post(JSON.stringify({ text: 'one more' }))).status).toBe(429);
    expect(await count()).toBe(before);
  });
});

describe('/api/chaos', () => {
  const put = (body: string) =>
    fetch(`${server.url}/api/chaos`, { method: 'PUT', headers: { 'Content-Type': 'application/json', ...operator }, body });
  const get = () => fetch(`${server.url}/api/chaos`, { headers: operator });

  it('starts with every setting at zero', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    const zero = { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 };
    expect(await response.json()).toEqual({ crm: zero, inventory: zero, slack: zero, orders_db: { failure_rate: 0 } });
  });

  it('changes only what a partial body names and returns the new settings', async () => {
    const first = await put(JSON.stringify({ crm: { failure_rate: 0.25 }, orders_db: { failure_rate: 0.5 } }));
    expect(first.status).toBe(200);
    const second = await put(JSON.stringify({ crm: { latency_ms: 120 } }));
    const settings = (await second.json()) as Record<string, Record<string, number>>;
    expect(settings.crm).toEqual({ failure_rate: 0.25, rate_limit_rate: 0, hang_rate: 0, latency_ms: 120 });
    expect(settings.orders_db).toEqual({ failure_rate: 0.5 });
    expect(settings.inventory?.failure_rate).toBe(0);
    expect(await (await get()).json()).toEqual(settings);
    await put(JSON.stringify({ crm: { failure_rate: 0, latency_ms: 0 }, orders_db: { failure_rate: 0 } }));
  });

  it('rejects unknown keys, out-of-range values and non-JSON with every issue', async () => {
    const body = await expectBadRequest(
      await put(JSON.stringify({ crm: { failure_rate: 1.5, latency_ms: 60_001, colour: 'red' }, billing: {}, slack: { hang_rate: -0.1 } })),
    );
    const paths = body.issues.map((issue) => issue.path);
    expect(paths.sort()).toEqual(['billing', 'crm.colour', 'crm.failure_rate', 'crm.latency_ms', 'slack.hang_rate']);

    await expectBadRequest(await put('{"crm": '));
    await expectBadRequest(await put(JSON.stringify({ orders_db: { latency_ms: 5 } })));
    await expectBadRequest(await put(JSON.stringify({ crm: { latency_ms: 1.5 } })));
    await expectBadRequest(await put(JSON.stringify({ crm: { failure_rate: '0.5' } })));
    await expectBadRequest(await put('[]'));
    const unchanged = (await (await get()).json()) as Record<string, Record<string, number>>;
    expect(unchanged.crm?.failure_rate).toBe(0);
  });
});
