/**
 * Alerts: one unresolved alert per key (a second raise is a no-op that enqueues nothing), acknowledging is an
 * audited one-time change, and the /alerts reads list by status and count per status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@/db/transaction';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { countAlertsByStatus, listAlerts } from './alert-queries';
import { acknowledgeAlert, raiseAlert, resolveAlerts } from './alert-store';

describe('alert store', () => {
  let testDb: TestDatabase;
  const routing = { linkBaseUrl: 'https://nightshift.example' };

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('raises once per key, acknowledges once (audited), and lists by status', async () => {
    const alert = { kind: 'step_failed', dedupKey: 'step_failed:x:transform', severity: 'high' as const, title: 'transform failed', details: {} };
    const first = await withTransaction(testDb.pool, (client) => raiseAlert(client, alert, routing));
    const again = await withTransaction(testDb.pool, (client) => raiseAlert(client, alert, routing));
    expect(first.created).toBe(true);
    expect(again).toEqual({ alertId: null, created: false });
    const messages = await testDb.pool.query<{ destination: string }>(`SELECT destination FROM outgoing_messages`);
    expect(messages.rows).toEqual([{ destination: '#data-team' }]);

    const actor = { actorId: null, actorLabel: 'operator@test' };
    await acknowledgeAlert(testDb.pool, first.alertId ?? 0, actor);
    await expect(acknowledgeAlert(testDb.pool, first.alertId ?? 0, actor)).rejects.toThrow(/not open/);
    const audit = await testDb.pool.query<{ action: string; target: string; actor: string }>(`SELECT action, target, actor_label AS actor FROM audit_log`);
    expect(audit.rows).toEqual([{ action: 'alert.acknowledge', target: `alert:${first.alertId}`, actor: 'operator@test' }]);

    expect(await listAlerts(testDb.pool, 'open')).toEqual([]);
    expect((await listAlerts(testDb.pool, 'acknowledged')).map((row) => [row.title, row.acknowledgedBy])).toEqual([['transform failed', 'operator@test']]);
    // An acknowledged alert still resolves itself, and afterwards the same key may alert again.
    await withTransaction(testDb.pool, (client) => resolveAlerts(client, alert.dedupKey, 'completed after a retry', routing));
    const later = await withTransaction(testDb.pool, (client) => raiseAlert(client, alert, routing));
    expect(later.created).toBe(true);
    expect(await countAlertsByStatus(testDb.pool)).toEqual({ open: 1, acknowledged: 0, resolved: 1 });
  });
});
