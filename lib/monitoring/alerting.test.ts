/**
 * A real worker runs real tasks, the engine's event dispatcher delivers to the pipeline
 * monitor, and the delivery loop posts to a local HTTP server standing in for PagerDuty and Slack.
 *   - an exhausted critical step → exactly one PagerDuty trigger + one #executive-alerts notice (fields checked),
 *     even when every event is delivered a second time;
 *   - a critical step that fails twice then succeeds → nothing at all;
 *   - a manual retry that succeeds → the PagerDuty resolve (same dedup_key) and a follow-up message;
 *   - high → #data-team only; medium → the review queue only (stored, nothing sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventDispatcher,
  createRegistry,
  createWorker,
  definePipeline,
  launchTask,
  PermanentError,
  RetryableError,
  retryStep,
  type EventDispatcher,
  type Logger,
  type PipelineRegistry,
  type Worker,
} from '@/lib/engine';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { waitFor } from '@/tests/setup/wait';
import { createMessageDelivery, type MessageDelivery } from './delivery';
import { createPipelineMonitor, PIPELINE_MONITOR } from './monitor';
import { createPagerDutyClient } from './pagerduty-client';
import { startCaptureServer, type CaptureServer } from './testing/capture-server';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const ROUTING_KEY = 'test-routing-key-0123456789';
const LINK_BASE = 'https://nightshift.example';

function onePipeline(name: string, severity: string, retryLimit: number, handler: (attempt: number) => Promise<{ ok: true }>) {
  return definePipeline({
    namespace: 'data_pipeline',
    name,
    version: '1',
    description: `monitoring test: ${name}`,
    input: z.object({}),
    steps: [{ name: `${name}_step`, retryLimit, metadata: { severity }, handler: (ctx) => handler(ctx.attempt) }],
  });
}

describe('pipeline monitor → PagerDuty and Slack', () => {
  let testDb: TestDatabase;
  let capture: CaptureServer;
  let registry: PipelineRegistry;
  let worker: Worker;
  let dispatcher: EventDispatcher;
  let delivery: MessageDelivery;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    capture = await startCaptureServer();
    registry = createRegistry();
    // Fails on its first three attempts (the whole retry budget), succeeds on an operator's retry.
    registry.register(onePipeline('doomed', 'critical', 2, async (attempt) => {
      if (attempt <= 3) throw new RetryableError(`orders database unreachable (attempt ${attempt})`);
      return { ok: true };
    }));
    registry.register(onePipeline('flaky', 'critical', 3, async (attempt) => {
      if (attempt <= 2) throw new RetryableError(`timeout (attempt ${attempt})`);
      return { ok: true };
    }));
    registry.register(onePipeline('transform', 'high', 0, async () => {
      throw new PermanentError('division by zero in customer metrics');
    }));
    registry.register(onePipeline('notify', 'medium', 0, async () => {
      throw new PermanentError('dashboard service said 400');
    }));
    // A pipeline that declares its own channels for every step's alerts.
    registry.register(
      definePipeline({
        namespace: 'data_pipeline',
        name: 'owned',
        version: '1',
        description: 'monitoring test: a pipeline with its own channels',
        input: z.object({}),
        stepMetadata: { channels: { engineers: '#retention-analysts', stakeholders: '#growth-leads' } },
        steps: [
          {
            name: 'owned_critical',
            retryLimit: 0,
            metadata: { severity: 'critical' },
            handler: async (ctx) => {
              if (ctx.attempt === 1) throw new RetryableError('warehouse unreachable');
              return { ok: true };
            },
          },
          {
            name: 'owned_high',
            retryLimit: 0,
            metadata: { severity: 'high' },
            handler: async () => {
              throw new PermanentError('cohort query timed out');
            },
          },
        ],
      }),
    );
    worker = createWorker({ db: testDb, registry, concurrency: 4, leaseMs: 5_000, heartbeatMs: 500, pollIntervalMs: 100, backoff: { baseMs: 20, capMs: 100 }, logger: quiet });
    delivery = createMessageDelivery({
      db: testDb,
      slackWebhookUrl: `${capture.url}/slack`,
      pagerDuty: createPagerDutyClient({ eventsUrl: `${capture.url}/pagerduty`, routingKey: ROUTING_KEY }),
      timeoutMs: 2_000,
      backoff: { baseMs: 20, capMs: 200 },
      maxAttempts: 5,
      pollIntervalMs: 50,
      logger: quiet,
    });
    const monitor = createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: false, linkBaseUrl: LINK_BASE, onEnqueued: () => delivery.wake() });
    dispatcher = createEventDispatcher({ db: testDb, subscribers: [monitor], pollIntervalMs: 100, logger: quiet });
    await worker.start();
    await dispatcher.start();
    delivery.start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await delivery?.stop();
    await worker?.stop({ graceMs: 1_000 });
    await capture?.close();
    await testDb?.drop();
  });

  const launch = async (name: string) =>
    (await launchTask(testDb, registry, { namespace: 'data_pipeline', name, context: {}, initiator: 'test' })).taskId;

  const waitForStatus = (taskId: string, status: string) =>
    waitFor(`task ${taskId} to be ${status}`, async () => {
      const row = await testDb.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId]);
      return row.rows[0]?.status === status;
    });

  /** The monitor has handled every event written so far. */
  const monitorCaughtUp = () =>
    waitFor('the monitor to reach the end of the outbox', async () => {
      const row = await testDb.pool.query<{ behind: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM task_events WHERE id > (SELECT last_event_id FROM event_fanout))
             OR EXISTS (SELECT 1 FROM event_deliveries WHERE subscriber = $1 AND delivered_at IS NULL) AS behind`,
        [PIPELINE_MONITOR],
      );
      return row.rows[0]?.behind === false;
    });

  const nothingPending = () =>
    waitFor('the outbox to be empty', async () => {
      const row = await testDb.pool.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM outgoing_messages WHERE status = 'pending'`);
      return row.rows[0]?.pending === 0;
    });

  it('a step that fails twice and then succeeds pages nobody and posts nothing', async () => {
    const taskId = await launch('flaky');
    await waitForStatus(taskId, 'completed');
    await monitorCaughtUp();
    await nothingPending();
    const attempts = await testDb.pool.query<{ outcome: string }>('SELECT outcome FROM step_attempts WHERE task_id = $1 ORDER BY attempt_number', [taskId]);
    expect(attempts.rows.map((row) => row.outcome)).toEqual(['failed', 'failed', 'completed']);
    const alerts = await testDb.pool.query('SELECT 1 FROM alerts WHERE task_id = $1', [taskId]);
    expect(alerts.rowCount).toBe(0);
    expect(capture.accepted).toEqual([]);
  });

  it('an exhausted critical step triggers PagerDuty once and tells the stakeholders once, even when events are redelivered', async () => {
    const taskId = await launch('doomed');
    await waitForStatus(taskId, 'failed');
    await waitFor('the trigger and the stakeholder notice', async () => capture.pagerDuty().length >= 1 && capture.slack().length >= 1);

    // At-least-once delivery made concrete: mark the monitor's deliveries undone so it sees every event again.
    await testDb.pool.query(`UPDATE event_deliveries SET delivered_at = NULL WHERE subscriber = $1`, [PIPELINE_MONITOR]);
    await monitorCaughtUp();
    await nothingPending();

    const triggers = capture.pagerDuty();
    expect(triggers).toHaveLength(1);
    const trigger = triggers[0] as Record<string, unknown> & { payload: Record<string, unknown> & { custom_details: Record<string, unknown> } };
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `step_failed:${taskId}:doomed_step`,
      client: 'Nightshift',
      // The failure group first (every run where this step failed the same way), then the run itself.
      client_url: `${LINK_BASE}/failures?pipeline=data_pipeline%2Fdoomed&step=doomed_step&error_class=RetryableError`,
      links: [
        { href: `${LINK_BASE}/failures?pipeline=data_pipeline%2Fdoomed&step=doomed_step&error_class=RetryableError`, text: 'Open the failure group in Nightshift' },
        { href: `${LINK_BASE}/runs/${taskId}`, text: 'Open the run in Nightshift' },
      ],
    });
    expect(trigger.payload).toMatchObject({ source: 'nightshift', severity: 'critical', component: 'doomed_step', group: 'data_pipeline/doomed', class: 'step_failed' });
    expect(trigger.payload.summary).toContain('doomed_step');
    expect(trigger.payload.summary).toContain('3 attempts');
    expect(Date.parse(String(trigger.payload.timestamp))).not.toBeNaN();
    expect(trigger.payload.custom_details).toMatchObject({ task_id: taskId, step: 'doomed_step', error: { class: 'RetryableError' } });

    const notices = capture.slack();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ channel: '#executive-alerts' });
    expect(String(notices[0]?.text)).toMatch(/may be delayed.*Engineering team investigating/);
    expect(notices[0]?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: notices[0]?.text } }]);

    const alert = await testDb.pool.query<{ severity: string; status: string }>(`SELECT severity, status FROM alerts WHERE task_id = $1`, [taskId]);
    expect(alert.rows).toEqual([{ severity: 'critical', status: 'open' }]);
  });

  it('a manual retry that succeeds resolves the incident (PagerDuty resolve + follow-up)', async () => {
    const failed = await testDb.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE name = 'doomed'`);
    const taskId = failed.rows[0]?.id ?? '';
    const before = capture.accepted.length;
    await retryStep(testDb, { taskId, stepName: 'doomed_step', actor: 'operator@test', reason: 'database is back' });
    await waitForStatus(taskId, 'completed');
    await waitFor('the resolve and the follow-up', async () => capture.accepted.length >= before + 2);
    await monitorCaughtUp();
    await nothingPending();

    const after = capture.accepted.slice(before);
    const resolve = after.filter((post) => post.path === '/pagerduty').map((post) => post.body);
    expect(resolve).toEqual([{ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: `step_failed:${taskId}:doomed_step` }]);
    const followUps = after.filter((post) => post.path === '/slack').map((post) => post.body);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ channel: '#executive-alerts' });
    // What happened, not "back on track": whether the figures reach the dashboard is its gate's decision.
    expect(String(followUps[0]?.text)).toContain('doomed_step completed after a retry');
    expect(String(followUps[0]?.text)).not.toContain('back on track');
    const alert = await testDb.pool.query<{ status: string; reason: string }>(`SELECT status, resolved_reason AS reason FROM alerts WHERE task_id = $1`, [taskId]);
    expect(alert.rows).toEqual([{ status: 'resolved', reason: 'completed after a retry' }]);
    // Still one trigger in total for this task + step.
    expect(capture.pagerDuty().filter((body) => body.event_action === 'trigger')).toHaveLength(1);
  });

  it('routes high to #data-team and keeps medium in the review queue without sending anything', async () => {
    const before = capture.accepted.length;
    const high = await launch('transform');
    const medium = await launch('notify');
    await waitForStatus(high, 'failed');
    await waitForStatus(medium, 'failed');
    await monitorCaughtUp();
    await nothingPending();

    const sent = capture.accepted.slice(before);
    expect(sent.map((post) => post.path)).toEqual(['/slack']);
    expect(sent[0]?.body).toMatchObject({ channel: '#data-team' });
    expect(String(sent[0]?.body.text)).toContain('division by zero');
    const lines = String(sent[0]?.body.text).split('\n');
    // The failure group's link comes before the run's (Slack decodes the escaped ampersands).
    expect(lines[1]).toBe(
      `• Failures: <${LINK_BASE}/failures?pipeline=data_pipeline%2Ftransform&amp;step=transform_step&amp;error_class=PermanentError|every run where transform_step failed with PermanentError>`,
    );
    expect(lines[2]).toBe(`• Task: <${LINK_BASE}/runs/${high}|${high}>`);

    const alerts = await testDb.pool.query<{ taskId: string; severity: string; status: string }>(
      `SELECT task_id AS "taskId", severity, status FROM alerts WHERE task_id = ANY ($1::uuid[]) ORDER BY severity`,
      [[high, medium]],
    );
    expect(alerts.rows).toEqual([
      { taskId: high, severity: 'high', status: 'open' },
      { taskId: medium, severity: 'medium', status: 'open' },
    ]);
    const mediumMessages = await testDb.pool.query(`SELECT 1 FROM outgoing_messages m JOIN alerts a ON a.id = m.alert_id WHERE a.task_id = $1`, [medium]);
    expect(mediumMessages.rowCount).toBe(0);
  });

  it('routes a pipeline’s alerts, and the follow-up of their resolve, to the channels it declared', async () => {
    const before = capture.accepted.length;
    const taskId = await launch('owned');
    await waitForStatus(taskId, 'failed');
    await monitorCaughtUp();
    await nothingPending();
    const raised = capture.accepted.slice(before).filter((post) => post.path === '/slack').map((post) => post.body.channel);
    expect(raised.sort()).toEqual(['#growth-leads', '#retention-analysts']);
    const stored = await testDb.pool.query<{ stepName: string; channels: unknown }>(
      `SELECT step_name AS "stepName", channels FROM alerts WHERE task_id = $1 ORDER BY step_name`,
      [taskId],
    );
    expect(stored.rows).toEqual([
      { stepName: 'owned_critical', channels: { engineers: '#retention-analysts', stakeholders: '#growth-leads' } },
      { stepName: 'owned_high', channels: { engineers: '#retention-analysts', stakeholders: '#growth-leads' } },
    ]);

    const beforeRetry = capture.accepted.length;
    await retryStep(testDb, { taskId, stepName: 'owned_critical', actor: 'operator@test', reason: 'warehouse is back' });
    await waitFor('the resolve and the follow-up', async () => capture.accepted.slice(beforeRetry).some((post) => post.path === '/slack'));
    await monitorCaughtUp();
    await nothingPending();
    const followUps = capture.accepted.slice(beforeRetry).filter((post) => post.path === '/slack').map((post) => post.body.channel);
    expect(followUps).toEqual(['#growth-leads']);
  });
});
