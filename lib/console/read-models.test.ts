/**
 * The console's read models and operation previews against a real PostgreSQL: list filters, search and cursor paging, the run
 * view (JSON only, steps in declaration order), events, and engine refusals turned into operator messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserFacingError } from '@/lib/auth/errors';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { previewOperation } from './operations';
import { loadRunDetail, loadRunEvents, loadRunList } from './read-models';
import { encodeRunCursor } from './run-cursor';
import { parseRunListQuery } from './run-filters';
import { groupMappedSteps } from './mapped-steps';
import { stageMappedRun } from './test-fixtures/stage-mapped-run';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

const chain = definePipeline({
  namespace: 'console',
  name: 'chain',
  version: '1',
  description: 'a → b → c',
  input: z.object({ date_range: z.object({ start_date: z.string(), end_date: z.string() }) }),
  steps: [
    { name: 'a', handler: async () => ({ ok: true }) },
    { name: 'b', dependsOn: 'a', handler: async () => ({ ok: true }) },
    { name: 'c', dependsOn: 'b', retryLimit: 5, handler: async () => ({ ok: true }) },
  ],
});
const other = definePipeline({ namespace: 'console', name: 'other', version: '1', description: 'one step', input: z.object({}), steps: [{ name: 'only', handler: async () => null }] });

/** console.chain is the delivered pipeline here: its input carries its window as customer_analytics' does. */
const chainDelivery = { ...customerAnalyticsDelivery, namespace: 'console', name: 'chain' };

describe('console read models', () => {
  let testDb: TestDatabase;
  const taskIds: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const registry = createRegistry();
    registry.register(chain);
    registry.register(other);
    // No worker runs here: the tasks stay pending, which is all these reads need.
    for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) {
      const { taskId } = await launchTask(testDb, registry, { namespace: 'console', name: 'chain', context: { date_range: { start_date: day, end_date: day } }, initiator: 'tester' });
      taskIds.push(taskId);
    }
    await launchTask(testDb, registry, { namespace: 'console', name: 'other', context: {}, initiator: 'tester' });
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('lists newest first, filtered by pipeline and status, with the data window', async () => {
    const chains = await loadRunList(testDb, { pipeline: 'console.chain' }, chainDelivery);
    // The first page holds every match, so the total is a count, not an estimate.
    expect(chains).toMatchObject({ total: 3, totalExact: true, newer: null, older: null });
    expect(chains.runs.map((run) => run.id)).toEqual([...taskIds].reverse());
    expect(chains.runs[0]).toMatchObject({ pipeline: 'console.chain', status: 'pending', window: { start: '2026-01-03', end: '2026-01-03' }, stepsTotal: 3, stepsDone: 0 });
    const all = await loadRunList(testDb, {}, chainDelivery);
    expect(all).toMatchObject({ total: 4, totalExact: true });
    // Only the delivered pipeline's runs carry a data window and a delivery kind.
    expect(all.runs.find((run) => run.pipeline === 'console.other')).toMatchObject({ window: null, delivery: null });
    expect(await loadRunList(testDb, { status: 'completed' }, chainDelivery)).toMatchObject({ total: 0, totalExact: true, runs: [] });
  });

  it('pages by opaque cursors: Older after the last row, Newer back, nothing beyond the ends', async () => {
    const all = await loadRunList(testDb, {}, chainDelivery);
    const cursorOf = async (position: number) => {
      const { rows } = await testDb.pool.query<{ createdAt: string; id: string }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt", id FROM tasks ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
        [position],
      );
      return encodeRunCursor(rows[0]!);
    };
    const older = await loadRunList(testDb, { after: await cursorOf(1) }, chainDelivery);
    expect(older.runs.map((run) => run.id)).toEqual(all.runs.slice(2).map((run) => run.id));
    expect(older.older).toBeNull();
    expect(older.newer).not.toBeNull();
    const newer = await loadRunList(testDb, { before: older.newer! }, chainDelivery);
    expect(newer.runs.map((run) => run.id)).toEqual(all.runs.slice(0, 2).map((run) => run.id));
    expect(newer.newer).toBeNull();
    // Beyond the oldest run: an empty page (the caller says so), still with a way back.
    const beyond = await loadRunList(testDb, { after: await cursorOf(3) }, chainDelivery);
    expect(beyond).toMatchObject({ runs: [], older: null });
    expect(beyond.newer).not.toBeNull();
  });

  it('searches by run id (exact or its first digits, dashes and case ignored) and by creation day', async () => {
    const id = taskIds[1]!;
    const exact = parseRunListQuery({ id: id.toUpperCase() }, []);
    expect((await loadRunList(testDb, exact.query, chainDelivery)).runs.map((run) => run.id)).toEqual([id]);
    const byPrefix = await loadRunList(testDb, parseRunListQuery({ id: id.slice(0, 13) }, []).query, chainDelivery);
    expect(byPrefix.runs.map((run) => run.id)).toContain(id);
    expect(byPrefix.runs.every((run) => run.id.startsWith(id.slice(0, 13)))).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await loadRunList(testDb, { created_from: today, created_to: today }, chainDelivery)).total).toBe(4);
    expect((await loadRunList(testDb, { created_from: '2020-01-01', created_to: '2020-01-01' }, chainDelivery)).runs).toEqual([]);
  });

  it('searches by error class: a run with a step whose last failure had it', async () => {
    await testDb.pool.query(
      `UPDATE steps SET status = 'failed', last_error = '{"class": "TimeoutError", "message": "took too long", "retryable": true}' WHERE task_id = $1 AND name = 'a'`,
      [taskIds[0]],
    );
    const timeouts = await loadRunList(testDb, { error: 'TimeoutError' }, chainDelivery);
    expect(timeouts).toMatchObject({ total: 1, totalExact: true });
    expect(timeouts.runs.map((run) => run.id)).toEqual([taskIds[0]]);
    expect((await loadRunList(testDb, { error: 'HttpError' }, chainDelivery)).runs).toEqual([]);
    await testDb.pool.query(`UPDATE steps SET status = 'pending', last_error = NULL WHERE task_id = $1 AND name = 'a'`, [taskIds[0]]);
  });

  it('gives a run as plain JSON with its steps in declaration order', async () => {
    const run = await loadRunDetail(testDb, taskIds[0]!, chainDelivery);
    expect(run).toBeDefined();
    expect(JSON.parse(JSON.stringify(run))).toEqual(run);
    expect(run?.steps.every((step) => step.map === null && step.mapChild === null)).toBe(true);
    expect(run?.steps.map((step) => [step.name, step.dependsOn, step.retryLimit])).toEqual([
      ['a', [], 3],
      ['b', ['a'], 3],
      ['c', ['b'], 5],
    ]);
    expect(await loadRunDetail(testDb, 'not-a-uuid', chainDelivery)).toBeUndefined();
    const events = await loadRunEvents(testDb, taskIds[0]!);
    expect(events.every((event) => typeof event.createdAt === 'string')).toBe(true);
  });

  it('reads a mapped step and its 500 children as the engine stores them', async () => {
    const run = await loadRunDetail(testDb, await stageMappedRun(testDb.pool, 500), chainDelivery);
    expect(run).toMatchObject({ version: '3', definitionHash: 'ab12cd34'.repeat(8), stepsTotal: 503 });
    const resize = run?.steps.find((step) => step.name === 'resize');
    expect(resize?.map).toEqual({ over: 'list_images', items: 500, maxItems: 1000 });
    expect(resize?.dependsOn).toHaveLength(501);
    const child = run?.steps.find((step) => step.name === 'resize[53]');
    expect(child).toMatchObject({
      status: 'failed',
      mapChild: { parent: 'resize', index: 53, item: { url: 'https://img.example/photos/0053.jpg' } },
      lastError: { class: 'HttpError', message: 'image server answered 503 for photos/0053.jpg' },
    });
    expect(child?.attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed']);
    const group = groupMappedSteps(run?.steps ?? []).maps.get('resize');
    expect(group?.counts).toEqual({ done: 470, running: 0, failed: 10, waiting: 20, cancelled: 0, total: 500 });
    expect(group?.parent.dependsOn).toEqual(['list_images']);
  });

  it('previews with the engine and turns its refusals into operator messages', async () => {
    expect(await previewOperation(testDb, { kind: 'cancel_task', taskId: taskIds[1]! })).toEqual(['a', 'b', 'c']);
    expect(await previewOperation(testDb, { kind: 'resolve_step', taskId: taskIds[1]!, stepName: 'a' })).toEqual(['b', 'c']);
    const refused = previewOperation(testDb, { kind: 'retry_step', taskId: taskIds[1]!, stepName: 'a' });
    await expect(refused).rejects.toBeInstanceOf(UserFacingError);
    await expect(refused).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/only a failed step can be retried/) });
    await expect(previewOperation(testDb, { kind: 'retry_failed', taskId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ status: 404 });
  });
});
