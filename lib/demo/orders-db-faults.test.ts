/**
 * The orders database's injected fault against a real PostgreSQL: a genuine server-side termination that the
 * reader sees as PostgreSQL's own error, classified as retryable; a permanent error classified as not.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { toOrdersDbError } from '@/lib/sources/orders-db';
import { SourceError } from '@/lib/sources/source-error';
import { updateChaosSettings } from './chaos';
import { maybeTerminateBackend, ordersFaultInjector } from './orders-db-faults';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterEach(async () => {
  await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 0 } });
});

afterAll(async () => {
  await testDb?.drop();
});

async function sessionsKilled(): Promise<number> {
  const stats = await testDb.pool.query<{ killed: number }>(
    'SELECT sessions_killed::int AS killed FROM pg_stat_database WHERE datname = current_database()',
  );
  return stats.rows[0]?.killed ?? 0;
}

/** Runs `strike` with a checked-out client's pid, then one query on that client; returns what the query threw. */
async function queryAfter(strike: (pid: number) => Promise<void>, sql = 'SELECT 1'): Promise<unknown> {
  const client = await testDb.pool.connect();
  let connectionError: Error | undefined;
  const onError = (error: Error) => {
    connectionError ??= error;
  };
  client.on('error', onError);
  let failure: unknown;
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
    await strike(pid);
    await client.query(sql);
  } catch (error) {
    // node-pg may report "not queryable" when the termination arrived first; the server's FATAL is the cause.
    failure = error instanceof pg.DatabaseError ? error : (connectionError ?? error);
  } finally {
    client.off('error', onError);
    client.release(failure instanceof Error ? failure : undefined);
  }
  return failure;
}

describe('orders database fault injection', () => {
  it('with failure_rate 1 the server terminates the connection and the reader sees PostgreSQL\'s own error', async () => {
    await updateChaosSettings(testDb.db, { orders_db: { failure_rate: 1 } });
    const killedBefore = await sessionsKilled();
    const error = toOrdersDbError(await queryAfter(ordersFaultInjector(testDb.db, testDb.pool)));
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'orders_db', kind: 'database', retryable: true });
    expect(error.cause).toBeInstanceOf(pg.DatabaseError);
    const cause = error.cause as pg.DatabaseError;
    expect(cause.code).toBe('57P01');
    expect(cause.message).toBe('terminating connection due to administrator command');
    // The server itself counts the session as terminated by operator intervention.
    await expect.poll(sessionsKilled, { timeout: 10_000 }).toBeGreaterThan(killedBefore);
    expect((await testDb.pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok).toBe(1);
  });

  it('with failure_rate 0 never strikes; in between, the dice decide', async () => {
    expect(await queryAfter(ordersFaultInjector(testDb.db, testDb.pool))).toBeUndefined();
    const rolls = [0.2, 0.7];
    const struck: boolean[] = [];
    for (const roll of rolls) {
      await queryAfter(async (pid) => {
        struck.push(await maybeTerminateBackend(testDb.pool, pid, 0.5, () => roll));
      });
    }
    expect(struck).toEqual([true, false]);
  });

  it('classifies a permanent database error as not retryable', async () => {
    const error = toOrdersDbError(await queryAfter(async () => {}, 'SELECT * FROM shop.no_such_table'));
    expect(error).toMatchObject({ kind: 'database', retryable: false });
    expect((error.cause as pg.DatabaseError).code).toBe('42P01');
  });
});
