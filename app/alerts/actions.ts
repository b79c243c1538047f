'use server';
/** /alerts actions (operator, audited): acknowledge an open alert; resend a dead-letter message or engine event. */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { acknowledgeAlert } from '@/lib/monitoring/alert-store';
import { resendEventDeadLetter } from '@/lib/monitoring/event-dead-letters';
import { resendDeadLetter } from '@/lib/monitoring/outbox';

const recordId = z.coerce.number({ message: 'Unknown id' }).int('Unknown id').positive('Unknown id');

export const acknowledgeAlertAction = authorizedAction('operator', z.object({ alertId: recordId }), async (input, principal) => {
  await acknowledgeAlert(getDb().pool, input.alertId, auditActorOf(principal));
  revalidatePath('/alerts');
  return { message: 'Alert acknowledged.' };
});

export const resendMessageAction = authorizedAction('operator', z.object({ messageId: recordId }), async (input, principal) => {
  await resendDeadLetter(getDb().pool, input.messageId, auditActorOf(principal));
  revalidatePath('/alerts');
  return { message: 'Message queued for delivery again.' };
});

export const resendEventAction = authorizedAction('operator', z.object({ deliveryId: recordId }), async (input, principal) => {
  await resendEventDeadLetter(getDb().pool, input.deliveryId, auditActorOf(principal));
  revalidatePath('/alerts');
  return { message: 'Event queued for delivery again.' };
});
