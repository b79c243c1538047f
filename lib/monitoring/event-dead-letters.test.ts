/**
 * The /alerts read model of undelivered engine events and its resend: a dead delivery is listed with its event,
 * run and last error; a resend makes it due again with its audit entry in the same transaction; a second resend
 * (double click, second operator) is a 409 and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserFacingError } from '@/lib/auth/errors';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { listEventDeadLetters, resendEventDeadLetter } from './event-dead-letters';

let testDb: TestDatabase;
let deliveryId = 0;
let taskId = '';

beforeAll(async () => {
  testDb = await createTestDatabase();
  const registry = createRegistry();
  registry.register(definePipeline({ namespace: 'dead', name: 'letters', version: '1', description: 'x', input: z.object({}), steps: [{ name: 'only', handler: async () => 1 }] }));
  ({ taskId } = await launchTask(testDb, registry, { namespace: 'dead', name: 'letters', context: {}, initiator: 'test' }));
  // The state a subscriber leaves after failing every attempt at one event.
  const event = await testDb.pool.query<{ id: string }>(
    `INSERT INTO task_events (task_id, name, step_name, payload) VALUES ($1, 'step.failed', 'only', '{}'::jsonb) RETURNING id`,
    [taskId],
  );
  await testDb.pool.query(`INSERT INTO event_subscribers (name, events) VALUES ('pipeline-monitor', '{step.failed}')`);
  const delivery = await testDb.pool.query<{ id: string }>(
    `INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name, attempts, last_error, dead_at)
     VALUES ('pipeline-monitor', $1, $2, 'step.failed', 10, 'alert store unreachable', now()) RETURNING id`,
    [event.rows[0]!.id, taskId],
  );
  deliveryId = Number(delivery.rows[0]!.id);
});
afterAll(async () => {
  await testDb.drop();
});

describe('undelivered events on /alerts', () => {
  it('lists a dead delivery with its event, run and last error', async () => {
    expect(await listEventDeadLetters(testDb.pool)).toEqual([
      expect.objectContaining({ id: deliveryId, subscriber: 'pipeline-monitor', eventName: 'step.failed', stepName: 'only', taskId, attempts: 10, lastError: 'alert store unreachable' }),
    ]);
  });

  it('resends it once, audited; a second resend is refused and writes nothing', async () => {
    const actor = { actorId: null, actorLabel: 'operator@nightshift.test' };
    await resendEventDeadLetter(testDb.pool, deliveryId, actor);
    const row = await testDb.pool.query<{ deadAt: Date | null; attempts: number; due: boolean }>(
      `SELECT dead_at AS "deadAt", attempts, run_after <= now() AS due FROM event_deliveries WHERE id = $1`,
      [deliveryId],
    );
    expect(row.rows[0]).toEqual({ deadAt: null, attempts: 0, due: true });
    expect(await listEventDeadLetters(testDb.pool)).toEqual([]);

    const second = resendEventDeadLetter(testDb.pool, deliveryId, actor);
    await expect(second).rejects.toBeInstanceOf(UserFacingError);
    await expect(second).rejects.toMatchObject({ status: 409 });
    const audit = await testDb.pool.query(`SELECT actor_label, target FROM audit_log WHERE action = 'alert.event.resend'`);
    expect(audit.rows).toEqual([{ actor_label: 'operator@nightshift.test', target: `event-delivery:${deliveryId}` }]);
  });
});
