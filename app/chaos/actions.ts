'use server';
/** The fault-injection panel's save (operator): the same change-and-audit as PUT /api/chaos. */
import { revalidatePath } from 'next/cache';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { changeChaosSettings, chaosFormSchema } from '@/lib/demo/chaos-console';

export const updateChaosAction = authorizedAction('operator', chaosFormSchema, async (patch, principal) => {
  await changeChaosSettings(getDb().db, patch, principal);
  revalidatePath('/chaos');
  return { message: 'Fault-injection settings saved. They apply to the next request each source receives.' };
});
