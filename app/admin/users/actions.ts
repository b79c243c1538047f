'use server';
/** User administration (admin only): role check and validation in authorizedAction, the rules in lib/auth/users.ts. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { roleSchema } from '@/lib/auth/roles';
import { changeUserRole, createUser, newUserSchema, setUserDisabled } from '@/lib/auth/users';

export const createUserAction = authorizedAction('admin', newUserSchema, async (input, principal) => {
  const user = await createUser(getDb().db, input, auditActorOf(principal));
  revalidatePath('/admin/users');
  return { message: `Created ${user.email} as ${user.role}.` };
});

const userIdSchema = z.uuid('Unknown user');

export const changeUserRoleAction = authorizedAction(
  'admin',
  z.object({ userId: userIdSchema, role: roleSchema }),
  async (input, principal) => {
    const user = await changeUserRole(getDb().db, input.userId, input.role, auditActorOf(principal));
    revalidatePath('/admin/users');
    return { message: `${user.email} is now ${user.role}.` };
  },
);

export const setUserDisabledAction = authorizedAction(
  'admin',
  z.object({ userId: userIdSchema, disabled: z.enum(['true', 'false'], { error: 'Choose disable or enable' }).transform((value) => value === 'true') }),
  async (input, principal) => {
    const user = await setUserDisabled(getDb().db, input.userId, input.disabled, auditActorOf(principal));
    revalidatePath('/admin/users');
    return { message: `${user.email} is ${user.disabledAt ? 'disabled; their sessions were ended' : 'enabled'}.` };
  },
);
