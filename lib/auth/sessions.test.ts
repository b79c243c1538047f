import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '@/db/schema/auth';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { hashSecret } from './secrets';
import { createSession, deleteSession, resolveSession, type SessionPolicy } from './sessions';

const policy: SessionPolicy = { idleMs: 12 * 3_600_000, maxAgeMs: 7 * 24 * 3_600_000, touchIntervalMs: 60_000 };

describe('sessions', () => {
  let testDb: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const [user] = await testDb.db.insert(users).values({ email: 'session@nightshift.test', role: 'viewer', passwordHash: 'x' }).returning();
    userId = user!.id;
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('stores only the sha256 of the cookie value', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    expect(Buffer.from(session.token, 'base64url')).toHaveLength(32);
    const rows = await testDb.db.select().from(sessions).where(eq(sessions.userId, userId));
    expect(rows.map((row) => row.tokenHash)).toContain(hashSecret(session.token));
    expect(JSON.stringify(rows)).not.toContain(session.token);
    expect((await resolveSession(testDb.db, session.token, policy))?.user.id).toBe(userId);
    expect(await resolveSession(testDb.db, `${session.token}x`, policy)).toBeNull();
  });

  it('ends a session after the idle timeout, and deletes it', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    await testDb.db.update(sessions).set({ lastSeenAt: sql`now() - interval '12 hours 1 minute'` }).where(eq(sessions.tokenHash, session.tokenHash));
    expect(await resolveSession(testDb.db, session.token, policy)).toBeNull();
    expect(await testDb.db.select().from(sessions).where(eq(sessions.tokenHash, session.tokenHash))).toHaveLength(0);
  });

  it('slides the idle timeout on use (at most one write a minute)', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    await testDb.db.update(sessions).set({ lastSeenAt: sql`now() - interval '11 hours'` }).where(eq(sessions.tokenHash, session.tokenHash));
    expect(await resolveSession(testDb.db, session.token, policy)).not.toBeNull();
    const [touched] = await testDb.db.select().from(sessions).where(eq(sessions.tokenHash, session.tokenHash));
    expect(Date.now() - touched!.lastSeenAt.getTime()).toBeLessThan(60_000);

    await resolveSession(testDb.db, session.token, policy);
    const [again] = await testDb.db.select().from(sessions).where(eq(sessions.tokenHash, session.tokenHash));
    expect(again!.lastSeenAt.getTime()).toBe(touched!.lastSeenAt.getTime());
  });

  it('ends a session at its absolute expiry however active it is', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    await testDb.db.update(sessions).set({ expiresAt: sql`now() - interval '1 second'`, lastSeenAt: sql`now()` }).where(eq(sessions.tokenHash, session.tokenHash));
    expect(await resolveSession(testDb.db, session.token, policy)).toBeNull();
  });

  it('gives a new session the configured absolute lifetime', async () => {
    const before = Date.now();
    const session = await createSession(testDb.db, { userId }, policy);
    expect(session.expiresAt.getTime() - before).toBeGreaterThanOrEqual(policy.maxAgeMs - 5_000);
    expect(session.expiresAt.getTime() - before).toBeLessThanOrEqual(policy.maxAgeMs + 5_000);
  });

  it('sign-out deletes the session', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    await deleteSession(testDb.db, session.tokenHash);
    expect(await resolveSession(testDb.db, session.token, policy)).toBeNull();
  });

  it('refuses sessions of a disabled user', async () => {
    const session = await createSession(testDb.db, { userId }, policy);
    await testDb.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId));
    expect(await resolveSession(testDb.db, session.token, policy)).toBeNull();
    await testDb.db.update(users).set({ disabledAt: null }).where(eq(users.id, userId));
  });
});
