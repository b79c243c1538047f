/**
 * Email + password sign-in with rate limiting shared by all processes (failures live in PostgreSQL).
 *
 * - Unknown email and wrong password give the same answer and take the same time (a decoy hash is verified),
 *   so the form cannot be used to find out which accounts exist.
 * - Limits are checked BEFORE the password is verified, so refused attempts cost no hashing:
 *   a client address with too many recent failures is refused until the window has passed; an account with too
 *   many slows down instead — each further attempt must wait (doubling, capped) after the last failure. A lock
 *   would let anyone who knows an email keep its owner out; a delay only slows guessing.
 * - Hashing waits in a bounded per-process queue (hashing-gate.ts), so a burst of attempts cannot take every core.
 * - Attempts on one account are serialised with an advisory lock, and the limits are checked again under it,
 *   so parallel guesses cannot all slip under them at once.
 */
import { and, count, eq, gt, lt, max, min, or, sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { loginFailures, users, type User } from '@/db/schema/auth';
import { env } from '@/lib/env';
import { recordAudit, type AuditWriter } from '@/lib/audit/record';
import { processHashingGate, type HashingGate } from './hashing-gate';
import { decoyPasswordHash, verifyPassword } from './password';
import { createSession, sessionPolicy, type NewSession, type SessionPolicy } from './sessions';
import { normalizeEmail } from './users';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password.';
export const DISABLED_ACCOUNT_MESSAGE = 'This account is disabled. Ask an administrator to enable it.';
export const BUSY_MESSAGE = 'Too many sign-in attempts are being checked right now; try again in a few seconds.';

export function rateLimitMessage(minutes: number): string {
  return `Too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export function slowDownMessage(seconds: number): string {
  return `Too many failed sign-ins for this account; wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
}

export interface RateLimitPolicy {
  /** Failures on one account within the window before each further attempt must wait. */
  accountFailuresBeforeDelay: number;
  /** The first wait; each further failure doubles it, up to `delayCapMs`. */
  delayBaseMs: number;
  delayCapMs: number;
  /** Failures from one client address within the window before that address is refused. */
  maxPerAddress: number;
  windowMs: number;
}

export function rateLimitPolicy(): RateLimitPolicy {
  const settings = env();
  return {
    accountFailuresBeforeDelay: settings.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    delayBaseMs: 1_000,
    delayCapMs: settings.LOGIN_MAX_DELAY_SECONDS * 1_000,
    maxPerAddress: settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: settings.LOGIN_WINDOW_MINUTES * 60_000,
  };
}

/** How long an account with `failures` recent failures must wait after the last one (0: no wait). */
export function accountDelayMs(failures: number, policy: RateLimitPolicy): number {
  if (failures < policy.accountFailuresBeforeDelay) return 0;
  return Math.min(policy.delayCapMs, policy.delayBaseMs * 2 ** (failures - policy.accountFailuresBeforeDelay));
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

type Queryable = Pick<Database, 'select'>;
type Refusal = { ok: false; reason: 'rate_limited'; message: string };

/** Why this attempt may not be checked now, or null when it may. */
async function limitRefusal(db: Queryable, email: string, clientAddress: string, policy: RateLimitPolicy, now: Date): Promise<Refusal | null> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const [byAddress] = await db
    .select({ failures: count(), oldest: min(loginFailures.failedAt) })
    .from(loginFailures)
    .where(and(eq(loginFailures.clientAddress, clientAddress), gt(loginFailures.failedAt, windowStart)));
  if (byAddress && byAddress.failures >= policy.maxPerAddress && byAddress.oldest) {
    const minutes = Math.max(1, Math.ceil((byAddress.oldest.getTime() + policy.windowMs - now.getTime()) / 60_000));
    return { ok: false, reason: 'rate_limited', message: rateLimitMessage(minutes) };
  }
  const [byAccount] = await db
    .select({ failures: count(), latest: max(loginFailures.failedAt) })
    .from(loginFailures)
    .where(and(eq(loginFailures.email, email), gt(loginFailures.failedAt, windowStart)));
  const delay = accountDelayMs(byAccount?.failures ?? 0, policy);
  if (delay > 0 && byAccount?.latest) {
    const waitMs = byAccount.latest.getTime() + delay - now.getTime();
    if (waitMs > 0) return { ok: false, reason: 'rate_limited', message: slowDownMessage(Math.max(1, Math.ceil(waitMs / 1_000))) };
  }
  return null;
}

export async function signIn(
  db: Database,
  input: SignInInput,
  policies: { rateLimit?: RateLimitPolicy; session?: SessionPolicy; gate?: HashingGate } = {},
): Promise<SignInResult> {
  const rateLimit = policies.rateLimit ?? rateLimitPolicy();
  const gate = policies.gate ?? processHashingGate();
  const email = normalizeEmail(input.email);
  const now = new Date();
  const auditBase = { actorLabel: email, target: email };
  const refuse = async (refusal: Refusal, why: string, recorder: AuditWriter = db) => {
    await recordAudit(recorder, { ...auditBase, action: 'auth.login.failure', details: { reason: why, clientAddress: input.clientAddress } });
    return refusal;
  };

  const early = await limitRefusal(db, email, input.clientAddress, rateLimit, now);
  if (early) return refuse(early, 'rate_limited');

  const gated = await gate.run(input.clientAddress, () =>
    db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`nightshift:login:${email}`}))`);
      const checkedAt = new Date();
      const refusal = await limitRefusal(tx, email, input.clientAddress, rateLimit, checkedAt);
      if (refusal) return refuse(refusal, 'rate_limited', tx);

      const [user] = await tx.select().from(users).where(eq(users.email, email));
      const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
      if (!user || !passwordMatches) {
        await tx.insert(loginFailures).values({ email, clientAddress: input.clientAddress, failedAt: new Date() });
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
      await tx
        .delete(loginFailures)
        .where(or(eq(loginFailures.email, email), lt(loginFailures.failedAt, new Date(checkedAt.getTime() - rateLimit.windowMs))));
      return { ok: true as const, user: { id: user.id, email: user.email, role: user.role } };
    }),
  );
  if (!gated.admitted) return refuse({ ok: false, reason: 'rate_limited', message: BUSY_MESSAGE }, 'busy');
  const outcome = gated.value;

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
