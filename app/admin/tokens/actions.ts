'use server';
/** API token administration (admin only). The new token travels back once, in this action's result. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { createApiToken, newApiTokenSchema, revokeApiToken } from '@/lib/auth/api-tokens';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';

export const createApiTokenAction = authorizedAction('admin', newApiTokenSchema, async (input, principal) => {
  const { token, record } = await createApiToken(getDb().db, input, auditActorOf(principal));
  revalidatePath('/admin/tokens');
  return {
    message: `Created token “${record.name}” (${record.role}). Copy it now: it will not be shown again.`,
    result: { token, name: record.name },
  };
});

export const revokeApiTokenAction = authorizedAction(
  'admin',
  z.object({ tokenId: z.uuid('Unknown token') }),
  async (input, principal) => {
    await revokeApiToken(getDb().db, input.tokenId, auditActorOf(principal));
    revalidatePath('/admin/tokens');
    return { message: 'Token revoked.' };
  },
);
