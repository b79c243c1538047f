/** Wrong password, unknown user, disabled user, rate limits and slow-down, audit entries, no password in logs. */
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, loginFailures, sessions, users } from '@/db/schema/auth';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { resolveSession } from './sessions';
import { accountDelayMs, DISABLED_ACCOUNT_MESSAGE, INVALID_CREDENTIALS_MESSAGE, rateLimitPolicy, signIn, type RateLimitPolicy } from './sign-in';
import { createUser, setUserDisabled } from './users';

const PASSWORD = 'Very-secret-password-42';
// Delays in tens of milliseconds so the slow-down can be waited out inside a test.
const limits: RateLimitPolicy = { accountFailuresBeforeDelay: 3, delayBaseMs: 40, delayCapMs: 160, maxPerAddress: 5, windowMs: 15 * 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sign-in', () => {
  let testDb: TestDatabase;
  const admin = { actorId: null, actorLabel: 'test' };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    for (const email of ['alice@nightshift.test', 'bob@nightshift.test', 'carol@nightshift.test', 'dave@nightshift.test']) {
      await createUser(testDb.db, { email, role: 'viewer', password: PASSWORD }, admin);
    }
  });
  afterAll(async () => {
    await testDb.drop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const attempt = (email: string, password: string, clientAddress = '203.0.113.1') =>
    signIn(testDb.db, { email, password, clientAddress, userAgent: 'vitest' }, { rateLimit: limits });

  it('signs in with the right password (email case-insensitive) and records the success', async () => {
    const result = await attempt('  Alice@Nightshift.TEST ', PASSWORD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.user.email).toBe('alice@nightshift.test');
    expect((await resolveSession(testDb.db, result.session.token))?.user.email).toBe('alice@nightshift.test');
    const entries = await testDb.db.select().from(auditLog).where(and(eq(auditLog.action, 'auth.login.success'), eq(auditLog.target, 'alice@nightshift.test')));
    expect(entries).toHaveLength(1);
  });

  it('refuses a wrong password and an unknown email with the same message', async () => {
    const wrong = await attempt('alice@nightshift.test', 'not-the-password', '198.51.100.7');
    const unknown = await attempt('nobody@nightshift.test', PASSWORD, '198.51.100.7');
    expect(wrong).toEqual({ ok: false, reason: 'invalid', message: INVALID_CREDENTIALS_MESSAGE });
    expect(unknown).toEqual({ ok: false, reason: 'invalid', message: INVALID_CREDENTIALS_MESSAGE });
    const failures = await testDb.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login.failure'));
    expect(failures.map((entry) => entry.details?.reason)).toEqual(expect.arrayContaining(['wrong_password', 'unknown_user']));
  });

  it('refuses a disabled user even with the right password, and ends their sessions', async () => {
    const before = await attempt('bob@nightshift.test', PASSWORD);
    expect(before.ok).toBe(true);
    const [bob] = await testDb.db.select().from(users).where(eq(users.email, 'bob@nightshift.test'));
    await setUserDisabled(testDb.db, bob!.id, true, admin);
    expect(await testDb.db.select().from(sessions).where(eq(sessions.userId, bob!.id))).toHaveLength(0);
    if (before.ok) expect(await resolveSession(testDb.db, before.session.token)).toBeNull();
    expect(await attempt('bob@nightshift.test', PASSWORD)).toEqual({ ok: false, reason: 'disabled', message: DISABLED_ACCOUNT_MESSAGE });
    await setUserDisabled(testDb.db, bob!.id, false, admin);
    expect((await attempt('bob@nightshift.test', PASSWORD)).ok).toBe(true);
  });

  it('slows an account down after repeated failures instead of locking its owner out', async () => {
    // Someone else guesses carol's password from addresses of their own.
    for (let index = 0; index < limits.accountFailuresBeforeDelay; index += 1) {
      expect((await attempt('carol@nightshift.test', `wrong-${index}`, `192.0.2.${index}`)).ok).toBe(false);
    }
    // Right after their last failure, even the right password has to wait (and costs no hashing).
    const slowed = await attempt('carol@nightshift.test', PASSWORD, '192.0.2.200');
    expect(slowed.ok).toBe(false);
    if (slowed.ok) return;
    expect(slowed.reason).toBe('rate_limited');
    expect(slowed.message).toMatch(/^Too many failed sign-ins for this account; wait \d+ seconds? and try again\.$/);
    // The account's slow-down does not spill over onto other accounts.
    expect((await attempt('alice@nightshift.test', PASSWORD, '192.0.2.201')).ok).toBe(true);

    // Each further failure doubles the wait, up to the cap; refused attempts do not make it longer.
    await sleep(limits.delayBaseMs + 20);
    expect(await attempt('carol@nightshift.test', 'wrong-again', '192.0.2.9')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await attempt('carol@nightshift.test', 'wrong-too-soon', '192.0.2.9')).toMatchObject({ ok: false, reason: 'rate_limited' });

    // After the delay the owner gets in, and that clears the account's failures.
    await sleep(limits.delayBaseMs * 2 + 20);
    expect((await attempt('carol@nightshift.test', PASSWORD, '192.0.2.200')).ok).toBe(true);
    expect(await testDb.db.select().from(loginFailures).where(eq(loginFailures.email, 'carol@nightshift.test'))).toHaveLength(0);
  });

  it('doubles the account delay per failure and never exceeds the cap', () => {
    expect([0, 2, 3, 4, 5, 6, 50, 5000].map((failures) => accountDelayMs(failures, limits))).toEqual([0, 0, 40, 80, 160, 160, 160, 160]);
  });

  it('limits a client address across accounts (password spraying)', async () => {
    const address = '203.0.113.99';
    for (let index = 0; index < limits.maxPerAddress; index += 1) {
      expect((await attempt(`spray-${index}@nightshift.test`, 'Password123!', address)).ok).toBe(false);
    }
    const blocked = await attempt('dave@nightshift.test', PASSWORD, address);
    expect(blocked.ok === false && blocked.reason).toBe('rate_limited');
    expect((await attempt('dave@nightshift.test', PASSWORD, '203.0.113.100')).ok).toBe(true);
  });

  it('uses 5 failures per account (then 1 s doubling up to 60 s) and 20 per address in 15 minutes by default', () => {
    expect(rateLimitPolicy()).toEqual({ accountFailuresBeforeDelay: 5, delayBaseMs: 1_000, delayCapMs: 60_000, maxPerAddress: 20, windowMs: 15 * 60_000 });
  });

  it('never writes the password to the audit log or the console', async () => {
    const secret = 'Unique-Password-Marker-7781';
    const printed: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
    await attempt('alice@nightshift.test', secret);
    await attempt('nobody-else@nightshift.test', secret);
    const rows = await testDb.pool.query<{ row: string }>(`SELECT row_to_json(a)::text AS row FROM audit_log a`);
    expect(rows.rows.some(({ row }) => row.includes('nobody-else@nightshift.test'))).toBe(true);
    for (const { row } of rows.rows) expect(row).not.toContain(secret);
    const stored = await testDb.pool.query<{ dump: string }>(`SELECT coalesce(string_agg(row_to_json(f)::text, ''), '') AS dump FROM login_failures f`);
    expect(stored.rows[0]?.dump).not.toContain(secret);
    expect(printed.join('\n')).not.toContain(secret);
  });
});
