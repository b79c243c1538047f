/**
 * With the Slack endpoint down for a while (first refusing connections, then answering
 * 503), stored messages are delivered once it returns — each exactly once, in order per channel — with two
 * senders running side by side. Also: a permanent refusal becomes a dead letter that an operator resends
 * (audited), and a PagerDuty resolve never overtakes its trigger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@/lib/engine';
import { withTransaction } from '@/db/transaction';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { waitFor } from '@/tests/setup/wait';
import { raiseAlert, resolveAlerts } from './alert-store';
import { createMessageDelivery, type MessageDelivery } from './delivery';
import { enqueueMessages, resendDeadLetter } from './outbox';
import { createPagerDutyClient } from './pagerduty-client';
import { startCaptureServer, type CaptureServer } from './testing/capture-server';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('outgoing message delivery', () => {
  let testDb: TestDatabase;
  let capture: CaptureServer;
  const senders: MessageDelivery[] = [];

  const makeSender = (slackPath = '/slack') => {
    const sender = createMessageDelivery({
      db: testDb,
      slackWebhookUrl: `${capture.url}${slackPath}`,
      pagerDuty: createPagerDutyClient({ eventsUrl: `${capture.url}/pagerduty`, routingKey: 'routing-key-for-tests' }),
      timeoutMs: 1_000,
      backoff: { baseMs: 40, capMs: 250 },
      maxAttempts: 1_000,
      pollIntervalMs: 30,
      logger: quiet,
    });
    senders.push(sender);
    return sender;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    capture = await startCaptureServer();
  });

  afterAll(async () => {
    await Promise.all(senders.map((sender) => sender.stop()));
    await capture?.close();
    await testDb?.drop();
  });

  const statusCounts = async () => {
    const rows = await testDb.pool.query<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM outgoing_messages GROUP BY status`);
    return Object.fromEntries(rows.rows.map((row) => [row.status, row.count]));
  };

  it('delivers everything once Slack is back, none twice, in order per channel', async () => {
    await capture.stop();
    const channels = ['#data-team', '#executive-alerts'];
    const messages = Array.from({ length: 12 }, (_, index) => {
      const channel = channels[index % 2] ?? '#data-team';
      return {
        idempotencyKey: `test:${index}`,
        target: 'slack' as const,
        destination: channel,
        orderingKey: `slack:${channel}`,
        payload: { channel, text: `message ${index}`, blocks: [] },
      };
    });
    expect(await enqueueMessages(testDb.pool, messages)).toBe(12);
    // Enqueueing the same keys again (a redelivered event) adds nothing.
    expect(await enqueueMessages(testDb.pool, messages)).toBe(0);

    const first = makeSender();
    const second = makeSender();
    first.start();
    second.start();

    // Down: connections refused. The channel heads are tried again and again; nothing else moves.
    await waitFor('retries while Slack is unreachable', async () => {
      const row = await testDb.pool.query<{ attempts: number }>(`SELECT max(attempts)::int AS attempts FROM outgoing_messages`);
      return (row.rows[0]?.attempts ?? 0) >= 3;
    });
    // Back up, but answering 503 for a while.
    capture.setFailing(true);
    await capture.start();
    await waitFor('503 answers', async () => capture.refused >= 3);
    expect(capture.accepted).toEqual([]);
    expect(await statusCounts()).toEqual({ pending: 12 });

    capture.setFailing(false);
    await waitFor('every message delivered', async () => (await statusCounts()).delivered === 12);

    const texts = capture.slack().map((body) => String(body.text));
    expect(texts).toHaveLength(12);
    expect(new Set(texts).size).toBe(12);
    for (const channel of channels) {
      const inChannel = capture.slack().filter((body) => body.channel === channel).map((body) => Number(String(body.text).split(' ')[1]));
      expect(inChannel).toEqual([...inChannel].sort((a, b) => a - b));
      expect(inChannel).toHaveLength(6);
    }
    const attempts = await testDb.pool.query<{ attempts: number }>(`SELECT min(attempts)::int AS attempts FROM outgoing_messages`);
    expect(attempts.rows[0]?.attempts).toBeGreaterThanOrEqual(1);
    const heads = await testDb.pool.query<{ attempts: number }>(`SELECT attempts FROM outgoing_messages WHERE idempotency_key IN ('test:0', 'test:1')`);
    for (const head of heads.rows) expect(head.attempts).toBeGreaterThan(1);
  });

  it('a PagerDuty resolve waits for its trigger while PagerDuty is failing', async () => {
    capture.setFailing(true);
    const routing = { linkBaseUrl: 'https://nightshift.example' };
    const { alertId } = await withTransaction(testDb.pool, (client) =>
      raiseAlert(client, { kind: 'step_failed', dedupKey: 'order-test', severity: 'critical', title: 'Data pipeline failure: extract_orders', details: {} }, routing),
    );
    await withTransaction(testDb.pool, (client) => resolveAlerts(client, 'order-test', 'completed after a retry', routing));
    await waitFor('failed tries of the trigger', async () => {
      const row = await testDb.pool.query<{ attempts: number }>(`SELECT attempts FROM outgoing_messages WHERE idempotency_key = $1`, [`alert:${alertId}:raise:pagerduty`]);
      return (row.rows[0]?.attempts ?? 0) >= 2;
    });
    const resolveTries = await testDb.pool.query<{ attempts: number }>(`SELECT attempts FROM outgoing_messages WHERE idempotency_key = $1`, [`alert:${alertId}:resolve:pagerduty`]);
    expect(resolveTries.rows[0]?.attempts).toBe(0);
    capture.setFailing(false);
    await waitFor('trigger and resolve delivered', async () => capture.pagerDuty().length === 2);
    expect(capture.pagerDuty().map((body) => [body.event_action, body.dedup_key])).toEqual([
      ['trigger', 'order-test'],
      ['resolve', 'order-test'],
    ]);
    // The alert's Slack messages go out too; the next test starts from an empty queue.
    await waitFor('every message delivered', async () => {
      const pending = await testDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outgoing_messages WHERE status = 'pending'`);
      return pending.rows[0]?.n === 0;
    });
  });

  it('a permanent refusal becomes a dead letter; an operator resends it (audited)', async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.stop()));
    // Slack answers 404 no_service for an unknown webhook path: retrying cannot help.
    const broken = makeSender('/no-such-webhook');
    await enqueueMessages(testDb.pool, [
      { idempotencyKey: 'dead:1', target: 'slack', destination: '#data-team', orderingKey: 'slack:#data-team', payload: { channel: '#data-team', text: 'lost?', blocks: [] } },
    ]);
    expect(await broken.deliverDue()).toBe(1);
    const dead = await testDb.pool.query<{ id: number; status: string; attempts: number; lastError: string }>(
      `SELECT id, status, attempts, last_error AS "lastError" FROM outgoing_messages WHERE idempotency_key = 'dead:1'`,
    );
    expect(dead.rows[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead.rows[0]?.lastError).toMatch(/400|404|invalid_payload/);

    const id = dead.rows[0]?.id ?? 0;
    await resendDeadLetter(testDb.pool, id, { actorId: null, actorLabel: 'operator@test' });
    await expect(resendDeadLetter(testDb.pool, id, { actorId: null, actorLabel: 'operator@test' })).rejects.toThrow(/not a dead letter/);
    const healthy = makeSender();
    await healthy.deliverDue();
    const row = await testDb.pool.query<{ status: string }>(`SELECT status FROM outgoing_messages WHERE id = $1`, [id]);
    expect(row.rows[0]?.status).toBe('delivered');
    expect(capture.slack().filter((body) => body.text === 'lost?')).toHaveLength(1);
    const audit = await testDb.pool.query<{ actor: string; target: string }>(`SELECT actor_label AS actor, target FROM audit_log WHERE action = 'alert.message.resend'`);
    expect(audit.rows).toEqual([{ actor: 'operator@test', target: `message:${id}` }]);
  });
});
