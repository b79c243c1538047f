/**
 * The orders-database reader against a real PostgreSQL: complete, ordered batches for a window, and the
 * injected failure being a genuine server-side termination that surfaces as PostgreSQL's own error.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '@/lib/demo/generator/generate';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { readOrdersDbFailureRate, updateChaosSettings } from '@/lib/demo/chaos';
import { readOrderBatches, type OrderBatch } from './orders-db';
import { SourceError } from './source-error';

const END = new Date('2026-01-11T00:00:00Z');
const WINDOW = { from: new Date('2026-01-01T00:00:00Z'), to: END };

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await generateDemoData(
    { app: testDb.pool, source: testDb.pool },
    { customers: 300, products: 50, days: 10, orders: 3_000, seed: 5, endDate: END },
  );
});

afterEach(async () => {
  await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 0 } });
});

afterAll(async () => {
  await testDb?.drop();
});

async function collect(batches: AsyncGenerator<OrderBatch>): Promise<OrderBatch[]> {
  const collected: OrderBatch[] = [];
  for await (const batch of batches) collected.push(batch);
  return collected;
}

const failureRate = () => readOrdersDbFailureRate(testDb.db);

async function sessionsKilled(): Promise<number> {
  const stats = await testDb.pool.query<{ killed: number }>(
    'SELECT sessions_killed::int AS killed FROM pg_stat_database WHERE datname = current_database()',
  );
  return stats.rows[0]?.killed ?? 0;
}

describe('readOrderBatches', () => {
  it('reads every order of the window with its items, in id order, batch by batch', async () => {
    const batches = await collect(readOrderBatches({ pool: testDb.pool, ...WINDOW, batchSize: 500, failureRate }));
    const orders = batches.flatMap((batch) => batch.orders);
    expect(batches).toHaveLength(6);
    expect(orders).toHaveLength(3_000);
    expect(orders.map((order) => order.id)).toEqual(orders.map((order) => order.id).sort((a, b) => a - b));
    expect(batches[0]?.lastId).toBe(batches[0]?.orders.at(-1)?.id);

    const expected = await testDb.pool.query<{ cents: string; items: number }>(
      `SELECT (sum(total_amount) * 100)::bigint::text AS cents,
              (SELECT count(*)::int FROM shop.order_items) AS items FROM shop.orders`,
    );
    const cents = orders.reduce((sum, order) => sum + Math.round(Number(order.total_amount) * 100), 0);
    expect(cents).toBe(Number(expected.rows[0]?.cents));
    expect(orders.reduce((sum, order) => sum + order.items.length, 0)).toBe(expected.rows[0]?.items);
    for (const order of orders) {
      const itemCents = order.items.reduce((sum, item) => sum + item.quantity * Math.round(Number(item.price) * 100), 0);
      expect(itemCents).toBe(Math.round(Number(order.total_amount) * 100));
    }
  });

  it('honours the window bounds (inclusive start, exclusive end)', async () => {
    const window = { from: new Date('2026-01-04T00:00:00Z'), to: new Date('2026-01-06T12:00:00Z') };
    const orders = (await collect(readOrderBatches({ pool: testDb.pool, ...window, batchSize: 250 }))).flatMap((batch) => batch.orders);
    const expected = await testDb.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM shop.orders WHERE created_at >= $1 AND created_at < $2',
      [window.from, window.to],
    );
    expect(orders.length).toBe(expected.rows[0]?.count);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((order) => order.created_at >= window.from.toISOString() && order.created_at < window.to.toISOString())).toBe(true);
  });

  it('with failure_rate 1 the server terminates the connection and the reader sees PostgreSQL\'s own error', async () => {
    await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 1 } });
    const killedBefore = await sessionsKilled();
    const error = await collect(readOrderBatches({ pool: testDb.pool, ...WINDOW, batchSize: 500, failureRate })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    const sourceError = error as SourceError;
    expect(sourceError).toMatchObject({ source: 'orders_db', kind: 'database', retryable: true });
    expect(sourceError.cause).toBeInstanceOf(pg.DatabaseError);
    const cause = sourceError.cause as pg.DatabaseError;
    expect(cause.code).toBe('57P01');
    expect(cause.message).toBe('terminating connection due to administrator command');

    // The server itself counts the session as terminated by operator intervention…
    await expect.poll(sessionsKilled, { timeout: 10_000 }).toBeGreaterThan(killedBefore);
    // …and the pool did not keep the dead client.
    for (let check = 0; check < 5; check += 1) {
      expect((await testDb.pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok).toBe(1);
    }
  });

  it('decides per batch from the live setting, and a retry resumes after the last batch read', async () => {
    const seen: number[] = [];
    let lastId = 0;
    let failure: unknown;
    try {
      for await (const batch of readOrderBatches({ pool: testDb.pool, ...WINDOW, batchSize: 500, failureRate })) {
        seen.push(...batch.orders.map((order) => order.id));
        lastId = batch.lastId;
        // Another process turns the fault on while the extraction runs.
        if (seen.length === 1_000) await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 1 } });
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(SourceError);
    expect(seen).toHaveLength(1_000);

    await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 0 } });
    const rest = await collect(readOrderBatches({ pool: testDb.pool, ...WINDOW, batchSize: 500, afterId: lastId, failureRate }));
    seen.push(...rest.flatMap((batch) => batch.orders.map((order) => order.id)));
    expect(seen).toHaveLength(3_000);
    expect(new Set(seen).size).toBe(3_000);
  });

  it('with failure_rate 0.5 some reads fail and some complete', async () => {
    await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 0.5 } });
    let failed = 0;
    let completed = 0;
    for (let attempt = 0; attempt < 30; attempt += 1) {
      try {
        // One batch per read, so each read fails with probability 0.5: all 30 alike has odds of 2 in a billion.
        await collect(readOrderBatches({ pool: testDb.pool, ...WINDOW, batchSize: 5_000, failureRate }));
        completed += 1;
      } catch (error) {
        expect(((error as SourceError).cause as pg.DatabaseError).code).toBe('57P01');
        failed += 1;
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(completed).toBeGreaterThan(0);
  });

  it('classifies a permanent database error as not retryable', async () => {
    const window = { from: new Date('2026-01-01T00:00:00Z'), to: END };
    await testDb.pool.query('ALTER TABLE shop.order_items RENAME TO order_items_hidden');
    try {
      const error = await collect(readOrderBatches({ pool: testDb.pool, ...window })).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ kind: 'database', retryable: false });
      expect(((error as SourceError).cause as pg.DatabaseError).code).toBe('42P01');
    } finally {
      await testDb.pool.query('ALTER TABLE shop.order_items_hidden RENAME TO order_items');
    }
  });
});
