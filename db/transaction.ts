/**
 * One pooled connection for a unit of work, and transactions on it. Every module that needs a dedicated
 * connection or a transaction uses these, so the error handling below lives in one place.
 */
import type pg from 'pg';

/**
 * Runs `work` on one pooled connection. While a client is checked out the pool does not listen for its
 * errors, and a connection that dies between two queries (server restart) emits 'error': without a
 * listener that is an uncaught exception. We listen, and hand a broken client back to be destroyed.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction: COMMIT on success, ROLLBACK on any error. */
export function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
