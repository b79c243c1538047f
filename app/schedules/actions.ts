'use server';
/** /schedules actions (operator, audited): pause or resume a schedule. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { setSchedulePaused } from '@/lib/scheduling';

export const setSchedulePausedAction = authorizedAction(
  'operator',
  z.object({ scheduleId: z.uuid('Unknown schedule'), paused: z.enum(['true', 'false'], 'Choose pause or resume').transform((value) => value === 'true') }),
  async (input, principal) => {
    await setSchedulePaused(getDb().pool, input.scheduleId, input.paused, auditActorOf(principal));
    revalidatePath('/schedules');
    return { message: input.paused ? 'Schedule paused.' : 'Schedule resumed; missed firings while paused are skipped.' };
  },
);
