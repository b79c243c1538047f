/**
 * User accounts: create, list, change role, disable/enable — each change audited in the same transaction.
 *
 * Two rules keep an installation manageable: nobody changes their own role or disables themselves, and the
 * last enabled admin cannot be demoted or disabled. Disabling an account deletes its sessions at once.
 */
import { and, asc, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/db/client';
import { sessions, users, type User } from '@/db/schema/auth';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from './errors';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
import { roleSchema, type Role } from './roles';

export const emailSchema = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));

export const newPasswordSchema = z
  .string({ error: 'Enter a password' })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().max(100, 'Name must be at most 100 characters').default(''),
  role: roleSchema,
  password: newPasswordSchema,
});
export type NewUserInput = z.input<typeof newUserSchema>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What lists and pages may show about a user: never the password hash. */
export type PublicUser = Omit<User, 'passwordHash'>;

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

function toPublic(user: User): PublicUser {
  const { passwordHash: _passwordHash, ...rest } = user;
  return rest;
}

export async function countUsers(db: Database): Promise<number> {
  const [row] = await db.select({ total: count() }).from(users);
  return row?.total ?? 0;
}

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email)));
  return user;
}

export async function listUsers(db: Database): Promise<PublicUser[]> {
  return db.select(publicColumns).from(users).orderBy(asc(users.email));
}

export async function createUser(db: Database, input: NewUserInput, actor: AuditActor): Promise<PublicUser> {
  const parsed = newUserSchema.parse(input);
  const passwordHash = await hashPassword(parsed.password);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ email: parsed.email, name: parsed.name, role: parsed.role, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning(publicColumns);
    if (!created) throw new UserFacingError(`A user with the email ${parsed.email} already exists`, 409);
    await recordAudit(tx, { ...actor, action: 'user.create', target: created.email, details: { role: created.role } });
    return created;
  });
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

async function lockUserForChange(tx: Tx, userId: string, actor: AuditActor): Promise<User> {
  // Serialises concurrent admin edits, so two admins cannot demote each other and leave no admin at all.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('nightshift:user-admin'))`);
  const [user] = await tx.select().from(users).where(eq(users.id, userId));
  if (!user) throw new UserFacingError('No such user', 404);
  if (actor.actorId && actor.actorId === user.id) {
    throw new UserFacingError('You cannot change your own role or disable your own account; ask another admin');
  }
  return user;
}

async function otherEnabledAdmins(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ total: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, userId)));
  return row?.total ?? 0;
}

export async function changeUserRole(db: Database, userId: string, role: Role, actor: AuditActor): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const user = await lockUserForChange(tx, userId, actor);
    if (user.role === role) return toPublic(user);
    if (user.role === 'admin' && (await otherEnabledAdmins(tx, user.id)) === 0) {
      throw new UserFacingError('This is the last admin; make someone else admin first');
    }
    const [updated] = await tx
      .update(users)
      .set({ role, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning(publicColumns);
    await recordAudit(tx, { ...actor, action: 'user.role.change', target: user.email, details: { from: user.role, to: role } });
    return updated ?? toPublic(user);
  });
}

export async function setUserDisabled(db: Database, userId: string, disabled: boolean, actor: AuditActor): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const user = await lockUserForChange(tx, userId, actor);
    if ((user.disabledAt !== null) === disabled) return toPublic(user);
    if (disabled && user.role === 'admin' && (await otherEnabledAdmins(tx, user.id)) === 0) {
      throw new UserFacingError('This is the last enabled admin; it cannot be disabled');
    }
    const [updated] = await tx
      .update(users)
      .set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning(publicColumns);
    if (disabled) await tx.delete(sessions).where(eq(sessions.userId, userId));
    await recordAudit(tx, { ...actor, action: disabled ? 'user.disable' : 'user.enable', target: user.email });
    return updated ?? toPublic(user);
  });
}
