/**
 * Test helper: one user per role with a live session and an API token, in a real test database.
 * Other test files can use it to call protected routes: `headers: identities.operator.bearer`.
 * Users get an unusable password hash (nothing verifies against it), which keeps setup free of scrypt's cost.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '@/db/client';
import { users } from '@/db/schema/auth';
import { createApiToken } from '../api-tokens';
import { SESSION_COOKIE } from '../constants';
import { ROLES, type Role } from '../roles';
import { createSession } from '../sessions';

export interface TestIdentity {
  role: Role;
  userId: string;
  email: string;
  sessionToken: string;
  apiToken: string;
  /** `{ cookie: 'nightshift_session=…' }` */
  cookie: Record<string, string>;
  /** `{ authorization: 'Bearer ns_…' }` */
  bearer: Record<string, string>;
}

export async function createIdentity(db: Database, role: Role, label = randomBytes(4).toString('hex')): Promise<TestIdentity> {
  const email = `${role}-${label}@nightshift.test`;
  const [user] = await db.insert(users).values({ email, role, passwordHash: 'unusable-test-hash' }).returning({ id: users.id });
  if (!user) throw new Error('user insert returned no row');
  const session = await createSession(db, { userId: user.id });
  const { token } = await createApiToken(db, { name: `${role}-${label}`, role }, { actorId: null, actorLabel: 'test' });
  return {
    role,
    userId: user.id,
    email,
    sessionToken: session.token,
    apiToken: token,
    cookie: { cookie: `${SESSION_COOKIE}=${session.token}` },
    bearer: { authorization: `Bearer ${token}` },
  };
}

export async function createIdentities(db: Database): Promise<Record<Role, TestIdentity>> {
  const entries = await Promise.all(ROLES.map(async (role) => [role, await createIdentity(db, role)] as const));
  return Object.fromEntries(entries) as Record<Role, TestIdentity>;
}
