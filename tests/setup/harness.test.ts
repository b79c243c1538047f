import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database';
import { expectedMigrationCount } from '@/db/migrate';

describe('test harness', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('gives each file its own migrated database', async () => {
    const current = await testDb.pool.query<{ db: string }>('SELECT current_database() AS db');
    expect(current.rows[0]?.db).toBe(testDb.name);
    const applied = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations');
    expect(applied.rows[0]?.count).toBe(expectedMigrationCount());
    const tables = await testDb.pool.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'shop' AND table_name = 'orders'`);
    expect(tables.rowCount).toBe(1);
  });
});
