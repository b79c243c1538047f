/**
 * Sign-in sessions stored in PostgreSQL. The cookie carries 32 random bytes; the table holds only their sha256,
 * so a leaked database dump cannot be replayed as a cookie.
 *
 * A session ends at the first of: SESSION_IDLE_MINUTES without a request (sliding: last_seen_at is refreshed,
 * at most once a minute to spare the database a write per request), SESSION_MAX_HOURS after sign-in, sign-out,
 * or its user being disabled.
 */
import { and, eq, lt, or } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { sessions, users, type User } from '@/db/schema/auth';
import { env } from '@/lib/env';
import { hashSecret, newSessionToken } from './secrets';

export interface SessionPolicy {
  idleMs: number;
  maxAgeMs: number;
  touchIntervalMs: number;
}

export function sessionPolicy(): SessionPolicy {
  const settings = env();
  return {
    idleMs: settings.SESSION_IDLE_MINUTES * 60_000,
    maxAgeMs: settings.SESSION_MAX_HOURS * 3_600_000,
    touchIntervalMs: 60_000,
  };
}

export interface NewSession {
  /** The cookie value. Only its hash is stored. */
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

export async function createSession(
  db: Database,
  input: { userId: string; userAgent?: string | null; clientAddress?: string | null },
  policy: SessionPolicy = sessionPolicy(),
  now: Date = new Date(),
): Promise<NewSession> {
  const token = newSessionToken();
  const tokenHash = hashSecret(token);
  const expiresAt = new Date(now.getTime() + policy.maxAgeMs);
  // Signing in is rare enough to carry the housekeeping: sessions past either expiry are removed here.
  await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - policy.idleMs))));
  await db.insert(sessions).values({
    tokenHash,
    userId: input.userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
    clientAddress: input.clientAddress ?? null,
  });
  return { token, tokenHash, expiresAt };
}

export interface ActiveSession {
  tokenHash: string;
  user: Pick<User, 'id' | 'email' | 'name' | 'role'>;
  expiresAt: Date;
}

/** The live session behind a cookie value, or null when unknown, expired (idle or absolute) or its user is disabled. */
export async function resolveSession(
  db: Database,
  token: string,
  policy: SessionPolicy = sessionPolicy(),
  now: Date = new Date(),
  options: { touch?: boolean } = {},
): Promise<ActiveSession | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = hashSecret(token);
  const [row] = await db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, tokenHash));
  if (!row) return null;

  const idleExpired = row.lastSeenAt.getTime() + policy.idleMs <= now.getTime();
  const absoluteExpired = row.expiresAt.getTime() <= now.getTime();
  if (idleExpired || absoluteExpired || row.user.disabledAt !== null) {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return null;
  }
  if (options.touch !== false && now.getTime() - row.lastSeenAt.getTime() >= policy.touchIntervalMs) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.tokenHash, tokenHash), lt(sessions.lastSeenAt, now)));
  }
  const { disabledAt: _disabledAt, ...user } = row.user;
  return { tokenHash, user, expiresAt: row.expiresAt };
}

export async function deleteSession(db: Database, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}
