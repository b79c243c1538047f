/**
 * The pipeline monitor's smaller rules, called directly with events as the dispatcher delivers them: the seed's
 * opt-in step notices to #data-pipeline-status ("2.4min" / "12.3s"), a step without a severity going to the
 * review queue, manual resolution resolving the alert, and duration formatting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, definePipeline, launchTask, type DeliveredEvent, type EventName, type Logger } from '@/lib/engine';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { formatNoticeDuration as formatDuration } from '@/lib/time/format';
import { createPipelineMonitor } from './monitor';
import { severityOf } from './routing';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('formatting and severity', () => {
  it('formats durations like the seed', () => {
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(144_000)).toBe('2.4min');
    expect(formatDuration(59_999)).toBe('60.0s');
    expect(formatDuration(60_000)).toBe('1.0min');
  });

  it('reads severity from step metadata, defaulting to the review queue', () => {
    expect(severityOf({ severity: 'critical' })).toBe('critical');
    expect(severityOf({ severity: 'urgent!!' })).toBe('medium');
    expect(severityOf(null)).toBe('medium');
  });
});

describe('pipeline monitor notices and manual resolution', () => {
  let testDb: TestDatabase;
  let taskId: string;
  let nextEventId = 1_000_000;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const registry = createRegistry();
    registry.register(
      definePipeline({
        namespace: 'data_pipeline',
        name: 'plain',
        version: '1',
        description: 'a step without severity metadata',
        input: z.object({}),
        steps: [{ name: 'load', handler: async () => null }],
      }),
    );
    taskId = (await launchTask(testDb, registry, { namespace: 'data_pipeline', name: 'plain', context: {}, initiator: 'test' })).taskId;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const event = (name: EventName, extra: Partial<DeliveredEvent['payload']> = {}): DeliveredEvent => ({
    id: (nextEventId += 1),
    taskId,
    name,
    stepName: 'load',
    createdAt: new Date(),
    payload: { namespace: 'data_pipeline', taskName: 'plain', taskId, stepName: 'load', ...extra },
  });

  it('posts opt-in step notices with seed-style durations', async () => {
    const monitor = createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: true, linkBaseUrl: 'http://localhost' });
    await monitor.handle(event('step.started', { attempt: 1 }));
    await monitor.handle(event('step.completed', { attempt: 1, durationMs: 144_000 }));
    const silent = createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: false, linkBaseUrl: 'http://localhost' });
    await silent.handle(event('step.started', { attempt: 2 }));
    const notices = await testDb.pool.query<{ destination: string; text: string }>(
      `SELECT destination, payload->>'text' AS text FROM outgoing_messages ORDER BY id`,
    );
    expect(notices.rows).toEqual([
      { destination: '#data-pipeline-status', text: `🔄 Starting: load (${taskId})` },
      { destination: '#data-pipeline-status', text: '✅ Completed: load in 2.4min' },
    ]);
  });

  it('sends a step without severity to the review queue, and resolving it by hand closes the alert', async () => {
    const monitor = createPipelineMonitor({ db: testDb, logger: quiet, stepNotices: false, linkBaseUrl: 'http://localhost' });
    await testDb.pool.query(`DELETE FROM outgoing_messages`);
    await monitor.handle(event('step.retrying', { attempt: 1, durationMs: 10 }));
    expect((await testDb.pool.query('SELECT 1 FROM alerts')).rowCount).toBe(0);
    await monitor.handle(event('step.failed', { attempt: 2, error: { class: 'PermanentError', message: 'bad input', retryable: false } }));
    await monitor.handle(event('step.resolved_manually', { attempt: 2 }));
    const alerts = await testDb.pool.query<{ severity: string; status: string; reason: string; title: string }>(
      `SELECT severity, status, resolved_reason AS reason, title FROM alerts`,
    );
    expect(alerts.rows).toEqual([
      { severity: 'medium', status: 'resolved', reason: 'resolved manually', title: 'Data pipeline failure: load of data_pipeline/plain failed after 2 attempts' },
    ]);
    expect((await testDb.pool.query('SELECT 1 FROM outgoing_messages')).rowCount).toBe(0);
  });
});
