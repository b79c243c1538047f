'use server';
/** /schedules actions (operator, audited): add, edit, delete, pause or resume a schedule. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { addSchedule, deleteSchedule, setSchedulePaused, updateSchedule } from '@/lib/scheduling';
import { editScheduleFormSchema, newScheduleFormSchema } from '@/lib/scheduling/schedule-form';
import { appRegistry } from '@/lib/runtime/registry';

export const setSchedulePausedAction = authorizedAction(
  'operator',
  z.object({ scheduleId: z.uuid('Unknown schedule'), paused: z.enum(['true', 'false'], 'Choose pause or resume').transform((value) => value === 'true') }),
  async (input, principal) => {
    await setSchedulePaused(getDb().pool, input.scheduleId, input.paused, auditActorOf(principal));
    revalidatePath('/schedules');
    return { message: input.paused ? 'Schedule paused.' : 'Schedule resumed; missed firings while paused are skipped.' };
  },
);

// The registry is read when a submission arrives, not when this module loads.
const newScheduleForm = z.lazy(() => newScheduleFormSchema(appRegistry().list()));
const editScheduleForm = z.lazy(() => editScheduleFormSchema(appRegistry().list()));

export const createScheduleAction = authorizedAction('operator', newScheduleForm, async (input, principal) => {
  const created = await addSchedule(getDb().pool, input, auditActorOf(principal));
  revalidatePath('/schedules');
  return { message: `Schedule ${created.name} added.` };
});

export const updateScheduleAction = authorizedAction('operator', editScheduleForm, async (input, principal) => {
  const updated = await updateSchedule(getDb().pool, input.scheduleId, input.changes, auditActorOf(principal));
  revalidatePath('/schedules');
  return { message: `Schedule ${updated.name} saved; it fires on the new settings from now on.` };
});

export const deleteScheduleAction = authorizedAction('operator', z.object({ scheduleId: z.uuid('Unknown schedule') }), async (input, principal) => {
  await deleteSchedule(getDb().pool, input.scheduleId, auditActorOf(principal));
  revalidatePath('/schedules');
  return { message: 'Schedule deleted.' };
});
