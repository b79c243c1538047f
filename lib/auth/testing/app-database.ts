/**
 * Test helper for code that reaches the database through `getDb()` (route handlers, guards, server actions):
 * a fresh test database that getDb() points at (tests/setup/http.ts useAppDatabase), released with its pool.
 */
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { useAppDatabase as pointGetDbAt } from '@/tests/setup/http';

export async function useAppDatabase(): Promise<TestDatabase & { release(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const forget = pointGetDbAt(testDb.url);
  // Next sets this at build time from experimental.authInterrupts; forbidden() refuses to run without it.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';
  return {
    ...testDb,
    async release() {
      await forget();
      await testDb.drop();
    },
  };
}
