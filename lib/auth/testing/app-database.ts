/**
 * Test helper for code that reaches the database through `getDb()` (route handlers, guards, server actions):
 * points DATABASE_URL at this file's test database before anything reads the environment, and closes the
 * process-wide pool afterwards so the next file cannot inherit a pool to a dropped database.
 */
import { getDb } from '@/db/client';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';

export async function useAppDatabase(): Promise<TestDatabase & { release(): Promise<void> }> {
  const testDb = await createTestDatabase();
  process.env.DATABASE_URL = testDb.url;
  // Next sets this at build time from experimental.authInterrupts; forbidden() refuses to run without it.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';
  return {
    ...testDb,
    async release() {
      const globalForDb = globalThis as typeof globalThis & { nightshiftDb?: ReturnType<typeof getDb> };
      if (globalForDb.nightshiftDb) {
        await globalForDb.nightshiftDb.close();
        delete globalForDb.nightshiftDb;
      }
      await testDb.drop();
    },
  };
}
