/**
 * Email + password sign-in with rate limiting shared by all processes (failures live in PostgreSQL).
 *
 * - Unknown email and wrong password give the same answer and take the same time (a decoy hash is verified),
 *   so the form cannot be used to find out which accounts exist.
 * - Limits are checked BEFORE the password is verified: once an account (or a client address) has too many
 *   recent failures, even the right password is refused until the window has passed.
 * - Attempts on one account are serialised with an advisory lock, so parallel guesses cannot all slip under
 *   the limit at once.
 */
import { and, count, eq, gt, lt, min, or, sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { loginFailures, users, type User } from '@/db/schema/auth';
import { env } from '@/lib/env';
import { recordAudit } from '@/lib/audit/record';
import { decoyPasswordHash, verifyPassword } from './password';
import { createSession, sessionPolicy, type NewSession, type SessionPolicy } from './sessions';
import { normalizeEmail } from './users';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password.';
export const DISABLED_ACCOUNT_MESSAGE = 'This account is disabled. Ask an administrator to enable it.';

export function rateLimitMessage(minutes: number): string {
  return `Too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export interface RateLimitPolicy {
  maxPerAccount: number;
  maxPerAddress: number;
  windowMs: number;
}

export function rateLimitPolicy(): RateLimitPolicy {
  const settings = env();
  return {
    maxPerAccount: settings.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxPerAddress: settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: settings.LOGIN_WINDOW_MINUTES * 60_000,
  };
}

export interface SignInInput {
  email: string;
  password: string;
  clientAddress: string;
  userAgent?: string | null;
}

export type SignInResult =
  | { ok: true; user: Pick<User, 'id' | 'email' | 'role'>; session: NewSession }
  | { ok: false; reason: 'invalid' | 'disabled' | 'rate_limited'; message: string };

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Minutes until the oldest failure that keeps the limit in force leaves the window (at least 1). */
async function blockedForMinutes(tx: Tx, email: string, clientAddress: string, policy: RateLimitPolicy, now: Date): Promise<number | null> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const scopes = [
    { column: loginFailures.email, value: email, max: policy.maxPerAccount },
    { column: loginFailures.clientAddress, value: clientAddress, max: policy.maxPerAddress },
  ];
  let blockedUntil: number | null = null;
  for (const scope of scopes) {
    const [row] = await tx
      .select({ failures: count(), oldest: min(loginFailures.failedAt) })
      .from(loginFailures)
      .where(and(eq(scope.column, scope.value), gt(loginFailures.failedAt, windowStart)));
    if (row && row.failures >= scope.max && row.oldest) {
      const until = row.oldest.getTime() + policy.windowMs;
      blockedUntil = Math.max(blockedUntil ?? 0, until);
    }
  }
  return blockedUntil === null ? null : Math.max(1, Math.ceil((blockedUntil - now.getTime()) / 60_000));
}

export async function signIn(
  db: Database,
  input: SignInInput,
  policies: { rateLimit?: RateLimitPolicy; session?: SessionPolicy } = {},
): Promise<SignInResult> {
  const rateLimit = policies.rateLimit ?? rateLimitPolicy();
  const email = normalizeEmail(input.email);
  const now = new Date();
  const auditBase = { actorLabel: email, target: email };

  const outcome = await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`nightshift:login:${email}`}))`);
    const minutes = await blockedForMinutes(tx, email, input.clientAddress, rateLimit, now);
    if (minutes !== null) {
      await recordAudit(tx, { ...auditBase, action: 'auth.login.failure', details: { reason: 'rate_limited', clientAddress: input.clientAddress } });
      return { ok: false as const, reason: 'rate_limited' as const, message: rateLimitMessage(minutes) };
    }

    const [user] = await tx.select().from(users).where(eq(users.email, email));
    const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!user || !passwordMatches) {
      await tx.insert(loginFailures).values({ email, clientAddress: input.clientAddress, failedAt: now });
      await recordAudit(tx, {
        ...auditBase,
        actorId: user?.id ?? null,
        action: 'auth.login.failure',
        details: { reason: user ? 'wrong_password' : 'unknown_user', clientAddress: input.clientAddress },
      });
      return { ok: false as const, reason: 'invalid' as const, message: INVALID_CREDENTIALS_MESSAGE };
    }
    if (user.disabledAt) {
      await recordAudit(tx, { ...auditBase, actorId: user.id, action: 'auth.login.failure', details: { reason: 'disabled', clientAddress: input.clientAddress } });
      return { ok: false as const, reason: 'disabled' as const, message: DISABLED_ACCOUNT_MESSAGE };
    }
    // A success clears this account's failures (the address's failures on other accounts still count), and
    // carries the housekeeping: failures older than the window no longer count for anything.
    await tx.delete(loginFailures).where(or(eq(loginFailures.email, email), lt(loginFailures.failedAt, new Date(now.getTime() - rateLimit.windowMs))));
    return { ok: true as const, user: { id: user.id, email: user.email, role: user.role } };
  });

  if (!outcome.ok) return outcome;
  const session = await createSession(
    db,
    { userId: outcome.user.id, userAgent: input.userAgent, clientAddress: input.clientAddress },
    policies.session ?? sessionPolicy(),
    now,
  );
  await recordAudit(db, {
    actorId: outcome.user.id,
    actorLabel: outcome.user.email,
    action: 'auth.login.success',
    target: outcome.user.email,
    details: { clientAddress: input.clientAddress },
  });
  return { ok: true, user: outcome.user, session };
}
