/**
 * POST /api/runs/:id/operations and GET …/preview over real HTTP with real sessions and tokens: every kind, every
 * error code, and the audit entry written in the same transaction as the operation (a refused one leaves neither).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { createRegistry, definePipeline, launchTask, PermanentError } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { appRegistry } from '@/lib/runtime/registry';

let testDb: TestDatabase;
let server: TestServer;
let forgetAppDatabase: () => Promise<void>;
let operator: TestIdentity;
let viewer: TestIdentity;
const workers = makeWorkerFactory();
// Whether a run fails or hangs is part of its input, so a worker that claims the step at once already knows;
// `healed` lets a later retry of a failing run succeed.
const healed = new Set<string>();

const registry = createRegistry();
const twoSteps = definePipeline({
    namespace: 'ops',
    name: 'two_steps',
    version: '1',
    description: 'extract → load',
    input: z.object({ fail: z.boolean().default(false), hang: z.boolean().default(false) }),
    steps: [
      {
        name: 'extract',
        retryLimit: 0,
        result: z.object({ rows: z.number().int().min(0) }).strict(),
        handler: async (ctx) => {
          if (ctx.context.fail && !healed.has(ctx.taskId)) throw new PermanentError('source is down');
          return { rows: 3 };
        },
      },
      {
        name: 'load',
        dependsOn: 'extract',
        handler: async (ctx) => {
          if (ctx.context.hang) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          // A step resolved by hand has no result; one completed by hand has the operator's.
          return { loaded: (ctx.results.extract as { rows: number } | undefined)?.rows ?? 0 };
        },
      },
    ],
  });
registry.register(twoSteps);
// The route checks a supplied result against the version the run pinned, in the app's registry.
appRegistry().register(twoSteps);

const launch = async (options: { fail?: boolean; hang?: boolean } = {}) => {
  const context = { fail: options.fail ?? false, hang: options.hang ?? false };
  const { taskId } = await launchTask(testDb, registry, { namespace: 'ops', name: 'two_steps', context, initiator: 'test' });
  return taskId;
};

function operate(taskId: string, body: unknown, headers: Record<string, string> = operator.bearer) {
  return fetch(`${server.url}/api/runs/${taskId}/operations`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}
const preview = (taskId: string, query: string, headers: Record<string, string> = operator.bearer) =>
  fetch(`${server.url}/api/runs/${taskId}/operations/preview?${query}`, { headers });

async function counts(taskId: string) {
  const audit = await testDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE target = $1`, [taskId]);
  const operations = await testDb.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_operations WHERE task_id = $1`, [taskId]);
  return { audit: audit.rows[0]?.n, operations: operations.rows[0]?.n };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  server = await serveRoutes({
    '/api/runs/[id]/operations': await import('@/app/api/runs/[id]/operations/route'),
    '/api/runs/[id]/operations/preview': await import('@/app/api/runs/[id]/operations/preview/route'),
  });
  operator = await createIdentity(testDb.db, 'operator');
  viewer = await createIdentity(testDb.db, 'viewer');
  await workers.start(testDb, registry);
});
afterAll(async () => {
  await workers.stopAll();
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('operations over HTTP', () => {
  it('refuses anonymous callers (401), viewers (403), bad bodies (400), unknown runs and steps (404)', async () => {
    const taskId = await launch({ fail: true });
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const body = { kind: 'retry', step: 'extract', reason: 'source is back' };
    expect((await operate(taskId, body, {})).status).toBe(401);
    expect((await operate(taskId, body, viewer.bearer)).status).toBe(403);
    expect((await preview(taskId, 'kind=retry&step=extract', viewer.bearer)).status).toBe(403);

    const badKind = await operate(taskId, { kind: 'explode', reason: 'why not' });
    expect(badKind.status).toBe(400);
    expect(await badKind.json()).toMatchObject({ issues: [{ path: 'kind' }] });
    const noStep = await operate(taskId, { kind: 'retry', reason: 'source is back' });
    expect(noStep.status).toBe(400);
    expect(await noStep.json()).toMatchObject({ issues: [{ path: 'step', message: 'retry needs the name of a step' }] });
    expect((await operate(taskId, { kind: 'cancel' })).status).toBe(400);
    expect((await operate(taskId, { ...body, extra: 1 })).status).toBe(400);

    expect((await operate('00000000-0000-4000-8000-000000000000', body)).status).toBe(404);
    expect((await operate('not-a-run', body)).status).toBe(404);
    expect((await operate(taskId, { ...body, step: 'no_such_step' })).status).toBe(404);
    expect(await counts(taskId)).toEqual({ audit: 0, operations: 0 });
  });

  it('previews and retries a failed step (200, the steps that will run), with its audit entry; 409 leaves nothing', async () => {
    const taskId = await launch({ fail: true });
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const previewed = await preview(taskId, 'kind=retry&step=extract');
    expect(previewed.status).toBe(200);
    expect(await previewed.json()).toEqual({ run: taskId, kind: 'retry_step', steps: ['extract', 'load'] });

    // Not possible in this state: 409, and neither the operation nor an audit entry is written.
    const refused = await operate(taskId, { kind: 'rerun_from', step: 'load', reason: 'try it' });
    expect(refused.status).toBe(409);
    expect(await counts(taskId)).toEqual({ audit: 0, operations: 0 });

    healed.add(taskId);
    const retried = await operate(taskId, { kind: 'retry', step: 'extract', reason: 'source is back' }, operator.cookie);
    // Cookie-authenticated mutations must come from this site.
    expect(retried.status).toBe(403);
    const accepted = await operate(taskId, { kind: 'retry', step: 'extract', reason: 'source is back' });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ run: taskId, kind: 'retry_step', steps: ['extract', 'load'] });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const audit = await testDb.pool.query(`SELECT action, actor_label AS "actorLabel", details FROM audit_log WHERE target = $1`, [taskId]);
    expect(audit.rows).toEqual([
      { action: 'run.retry_step', actorLabel: expect.any(String), details: { step: 'extract', reason: 'source is back', affected_steps: ['extract', 'load'] } },
    ]);
    expect((await counts(taskId)).operations).toBe(1);

    expect((await operate(taskId, { kind: 'retry_failed', reason: 'again' })).status).toBe(409);
    const rerun = await operate(taskId, { kind: 'rerun_from', step: 'load', reason: 'new formula' });
    expect(await rerun.json()).toEqual({ run: taskId, kind: 'rerun_from_step', steps: ['load'] });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    expect(await counts(taskId)).toEqual({ audit: 2, operations: 2 });
  });

  it('retries every failed step, resolves a step by hand, and cancels a run', async () => {
    const failed = await launch({ fail: true });
    await waitForTaskStatus(testDb, failed, ['failed']);
    const resolved = await operate(failed, { kind: 'resolve', step: 'extract', reason: 'loaded the file by hand' });
    expect(await resolved.json()).toEqual({ run: failed, kind: 'resolve_step', steps: ['load'] });
    await waitForTaskStatus(testDb, failed, ['completed']);

    const again = await launch({ fail: true });
    await waitForTaskStatus(testDb, again, ['failed']);
    healed.add(again);
    const retriedAll = await operate(again, { kind: 'retry_failed', reason: 'source is back' });
    expect(await retriedAll.json()).toEqual({ run: again, kind: 'retry_failed', steps: ['extract', 'load'] });
    await waitForTaskStatus(testDb, again, ['completed']);

    const running = await launch({ hang: true });
    await waitForTaskStatus(testDb, running, ['running']);
    const cancelled = await operate(running, { kind: 'cancel', reason: 'wrong window' });
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).kind).toBe('cancel_task');
    await waitForTaskStatus(testDb, running, ['cancelled']);
    expect((await operate(running, { kind: 'cancel', reason: 'twice' })).status).toBe(409);
    expect(await counts(running)).toEqual({ audit: 1, operations: 1 });
  });

  it('completes a failed step with a supplied result: 400 with field paths when it does not fit, dependents read it, audited', async () => {
    const taskId = await launch({ fail: true });
    await waitForTaskStatus(testDb, taskId, ['failed']);
    const previewed = await preview(taskId, 'kind=complete_step&step=extract');
    expect(await previewed.json()).toEqual({ run: taskId, kind: 'complete_step', steps: ['load'] });

    const missing = await operate(taskId, { kind: 'complete_step', step: 'extract', reason: 'counted by hand' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ issues: [{ path: 'result', message: 'complete_step needs the result' }] });
    expect((await operate(taskId, { kind: 'retry', step: 'extract', reason: 'again', result: {} })).status).toBe(400);
    const misfit = await operate(taskId, { kind: 'complete_step', step: 'extract', reason: 'counted by hand', result: { rows: 'seven' } });
    expect(misfit.status).toBe(400);
    expect(await misfit.json()).toMatchObject({ issues: [{ path: 'result.rows' }] });
    expect(await counts(taskId)).toEqual({ audit: 0, operations: 0 });

    const completed = await operate(taskId, { kind: 'complete_step', step: 'extract', reason: 'counted by hand', result: { rows: 7 } });
    expect(completed.status).toBe(200);
    expect(await completed.json()).toEqual({ run: taskId, kind: 'complete_step', steps: ['load'] });
    await waitForTaskStatus(testDb, taskId, ['completed']);
    const load = await testDb.pool.query(`SELECT result FROM steps WHERE task_id = $1 AND name = 'load'`, [taskId]);
    expect(load.rows).toEqual([{ result: { loaded: 7 } }]);
    const audit = await testDb.pool.query(`SELECT action, details FROM audit_log WHERE target = $1`, [taskId]);
    expect(audit.rows).toEqual([
      { action: 'run.complete_step', details: { step: 'extract', reason: 'counted by hand', affected_steps: ['load'], result: { rows: 7 } } },
    ]);
    // Done is done: completing it again is a 409.
    expect((await operate(taskId, { kind: 'complete_step', step: 'extract', reason: 'again', result: { rows: 1 } })).status).toBe(409);
  });
});
