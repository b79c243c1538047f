/**
 * Engine events a subscriber failed on every attempt (dead letters), as /alerts lists them, and their resend
 * (operator, audited in the same transaction as the resend).
 */
import type pg from 'pg';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { DeliveryNotDeadError, listDeadEventDeliveries, resendEventDelivery, type DeadEventDelivery } from '@/lib/engine';

export type EventDeadLetter = DeadEventDelivery;

export function listEventDeadLetters(pool: pg.Pool): Promise<EventDeadLetter[]> {
  return listDeadEventDeliveries(pool, 100);
}

export async function resendEventDeadLetter(pool: pg.Pool, deliveryId: number, actor: AuditActor): Promise<void> {
  try {
    await resendEventDelivery(pool, deliveryId, {
      actor: actor.actorLabel,
      alsoInTransaction: (client) =>
        recordAudit(client, { ...actor, action: 'alert.event.resend', target: `event-delivery:${deliveryId}` }),
    });
  } catch (error) {
    if (error instanceof DeliveryNotDeadError) {
      throw new UserFacingError(`Event ${deliveryId} is not an undelivered event any more (already resent, delivered or purged).`, 409);
    }
    throw error;
  }
}
