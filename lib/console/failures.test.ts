/**
 * Failure triage against a real database and real workers: runs of three pipelines fail with different error
 * classes (a mapped step's children among them, a cancelled run that must not count), the groups are checked
 * against hand-counted expectations, and the HTTP routes preview, retry and resolve whole groups with real tokens —
 * each step its own audited operation, bad input a 400 naming the field with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { cancelTask, createRegistry, definePipeline, launchTask, PermanentError } from '@/lib/engine';
import { makeWorkerFactory, stepStates, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import { listFailureGroups } from './failures';

class SourceDown extends PermanentError {
  override name = 'SourceDown';
}
class AuthFailed extends PermanentError {
  override name = 'AuthFailed';
}
class BadItem extends PermanentError {
  override name = 'BadItem';
}

let testDb: TestDatabase;
let server: TestServer;
let forgetAppDatabase: () => Promise<void>;
let operator: TestIdentity;
let viewer: TestIdentity;
const workers = makeWorkerFactory();
/** Runs whose failures the "source" has fixed: a retry of them succeeds. */
const healed = new Set<string>();

const failing = z.object({ fail: z.enum(['none', 'down', 'auth']), label: z.string() });
const extractThenLoad = (namespace: string, name: string) =>
  definePipeline({
    namespace,
    name,
    version: '1',
    description: 'extract → load',
    input: failing,
    steps: [
      {
        name: 'extract',
        retryLimit: 0,
        handler: async (ctx) => {
          if (healed.has(ctx.taskId) || ctx.context.fail === 'none') return { rows: 1 };
          if (ctx.context.fail === 'down') throw new SourceDown(`crm is down (${ctx.context.label})`);
          throw new AuthFailed(`crm refused the token (${ctx.context.label})`);
        },
      },
      { name: 'load', dependsOn: 'extract', handler: async () => ({ loaded: true }) },
    ],
  });
const alpha = extractThenLoad('triage', 'alpha');
const beta = extractThenLoad('other', 'beta');
const fanout = definePipeline({
  namespace: 'triage',
  name: 'fanout',
  version: '1',
  description: 'list → square each → total',
  input: z.object({ items: z.array(z.number()), bad: z.array(z.number()) }),
  steps: [
    { name: 'list', handler: async (ctx) => ctx.context.items },
    {
      name: 'square',
      dependsOn: 'list',
      mapsOver: 'list',
      retryLimit: 0,
      handler: async (ctx) => {
        const item = z.number().parse(ctx.item);
        if (ctx.context.bad.includes(item) && !healed.has(ctx.taskId)) throw new BadItem(`item ${item} is bad`);
        return item * item;
      },
    },
    { name: 'total', dependsOn: 'square', handler: async () => ({ done: true }) },
  ],
});
const registry = createRegistry();
registry.register(alpha);
registry.register(beta);
registry.register(fanout);

async function failedRun(namespace: string, name: string, context: Record<string, unknown>, expected: 'failed' | 'completed' = 'failed') {
  const { taskId } = await launchTask(testDb, registry, { namespace, name, context, initiator: 'test' });
  await waitForTaskStatus(testDb, taskId, [expected]);
  return taskId;
}

/** When the step's last attempt failed, as the engine recorded it: the fixture's own clock, read back. */
async function failedAt(taskId: string, stepName: string): Promise<string> {
  const row = await testDb.pool.query<{ at: string }>(
    `SELECT to_char((last_error ->> 'at')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM steps WHERE task_id = $1 AND name = $2`,
    [taskId, stepName],
  );
  return row.rows[0]?.at ?? '';
}

async function auditActions(taskIds: string[]) {
  const rows = await testDb.pool.query<{ target: string; action: string; step: string; reason: string }>(
    `SELECT target, action, details ->> 'step' AS step, details ->> 'reason' AS reason FROM audit_log WHERE target = ANY ($1::text[]) ORDER BY id`,
    [taskIds],
  );
  return rows.rows;
}

const runs: Record<string, string> = {};

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  server = await serveRoutes({
    '/api/failures': await import('@/app/api/failures/route'),
    '/api/failures/operations': await import('@/app/api/failures/operations/route'),
    '/api/failures/operations/preview': await import('@/app/api/failures/operations/preview/route'),
  });
  operator = await createIdentity(testDb.db, 'operator');
  viewer = await createIdentity(testDb.db, 'viewer');
  await workers.start(testDb, registry);

  // One after another, so the newest-first orders below are known.
  runs.a1 = await failedRun('triage', 'alpha', { fail: 'down', label: 'a1' });
  runs.a2 = await failedRun('triage', 'alpha', { fail: 'down', label: 'a2' });
  runs.a3 = await failedRun('triage', 'alpha', { fail: 'auth', label: 'a3' });
  runs.cancelled = await failedRun('triage', 'alpha', { fail: 'down', label: 'cancelled' });
  await cancelTask(testDb, { taskId: runs.cancelled, actor: 'test', reason: 'not needed' });
  runs.fine = await failedRun('triage', 'alpha', { fail: 'none', label: 'fine' }, 'completed');
  runs.f1 = await failedRun('triage', 'fanout', { items: [1, 2, 3, 4], bad: [2, 4] });
  runs.f2 = await failedRun('triage', 'fanout', { items: [5, 6], bad: [5] });
  runs.b1 = await failedRun('other', 'beta', { fail: 'down', label: 'b1' });
}, 60_000);

afterAll(async () => {
  await workers.stopAll();
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

const get = (path: string, headers: Record<string, string> = viewer.bearer) => fetch(`${server.url}${path}`, { headers });
const post = (body: unknown, headers: Record<string, string> = operator.bearer) =>
  fetch(`${server.url}/api/failures/operations`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

describe('the failure groups', () => {
  it('groups every step failed now by pipeline, step (a mapped child under its step) and error class, newest first', async () => {
    // The cancelled run's step is still failed, but a cancelled run is nobody's to triage.
    expect((await stepStates(testDb, runs.cancelled ?? '')).extract).toBe('failed');
    const groups = await listFailureGroups(testDb);
    expect(groups).toEqual([
      {
        pipeline: 'other/beta',
        step: 'extract',
        errorClass: 'SourceDown',
        failedSteps: 1,
        runs: 1,
        firstSeen: await failedAt(runs.b1 ?? '', 'extract'),
        lastSeen: await failedAt(runs.b1 ?? '', 'extract'),
        sampleMessage: 'crm is down (b1)',
        runIds: [runs.b1],
      },
      {
        pipeline: 'triage/fanout',
        step: 'square',
        errorClass: 'BadItem',
        // Two children of f1 (items 2 and 4) and one of f2 (item 5).
        failedSteps: 3,
        runs: 2,
        firstSeen: expect.any(String),
        lastSeen: await failedAt(runs.f2 ?? '', 'square[0]'),
        sampleMessage: 'item 5 is bad',
        runIds: [runs.f2, runs.f1],
      },
      {
        pipeline: 'triage/alpha',
        step: 'extract',
        errorClass: 'AuthFailed',
        failedSteps: 1,
        runs: 1,
        firstSeen: await failedAt(runs.a3 ?? '', 'extract'),
        lastSeen: await failedAt(runs.a3 ?? '', 'extract'),
        sampleMessage: 'crm refused the token (a3)',
        runIds: [runs.a3],
      },
      {
        pipeline: 'triage/alpha',
        step: 'extract',
        errorClass: 'SourceDown',
        failedSteps: 2,
        runs: 2,
        firstSeen: await failedAt(runs.a1 ?? '', 'extract'),
        lastSeen: await failedAt(runs.a2 ?? '', 'extract'),
        sampleMessage: 'crm is down (a2)',
        runIds: [runs.a2, runs.a1],
      },
    ]);
    // The fan-out's first failure is the earlier of f1's two children.
    const f1Times = [await failedAt(runs.f1 ?? '', 'square[1]'), await failedAt(runs.f1 ?? '', 'square[3]')].sort();
    expect(groups[1]?.firstSeen).toBe(f1Times[0]);
  });

  it('narrows by pipeline, step and error class', async () => {
    const byPipeline = await listFailureGroups(testDb, { pipeline: 'triage/alpha' });
    expect(byPipeline.map((group) => group.errorClass)).toEqual(['AuthFailed', 'SourceDown']);
    const byClass = await listFailureGroups(testDb, { error_class: 'SourceDown' });
    expect(byClass.map((group) => group.pipeline)).toEqual(['other/beta', 'triage/alpha']);
    expect(await listFailureGroups(testDb, { pipeline: 'triage/fanout', step: 'extract' })).toEqual([]);
  });
});

describe('over HTTP', () => {
  it('GET /api/failures answers viewers with the groups; 401 without credentials; 400 naming a bad parameter', async () => {
    expect((await get('/api/failures', {})).status).toBe(401);
    const answer = await get('/api/failures?pipeline=triage%2Falpha&error_class=SourceDown');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      groups: [
        {
          pipeline: 'triage/alpha',
          step: 'extract',
          error_class: 'SourceDown',
          failed_steps: 2,
          runs: 2,
          first_seen: await failedAt(runs.a1 ?? '', 'extract'),
          last_seen: await failedAt(runs.a2 ?? '', 'extract'),
          sample_message: 'crm is down (a2)',
          run_ids: [runs.a2, runs.a1],
        },
      ],
    });
    const badPipeline = await get('/api/failures?pipeline=alpha');
    expect(badPipeline.status).toBe(400);
    expect(await badPipeline.json()).toMatchObject({ issues: [{ path: 'pipeline', message: 'pipeline must be namespace/name' }] });
    const unknown = await get('/api/failures?colour=red');
    expect(await unknown.json()).toMatchObject({ issues: [{ path: 'colour' }] });
  });

  it('refuses viewers and bad bodies with nothing written; 404 for a group with no failed step', async () => {
    const group = { pipeline: 'triage/alpha', step: 'extract', error_class: 'SourceDown' };
    expect((await post({ kind: 'retry', ...group, reason: 'crm is back' }, viewer.bearer)).status).toBe(403);
    expect((await get('/api/failures/operations/preview?kind=retry&pipeline=triage%2Falpha&step=extract&error_class=SourceDown')).status).toBe(403);
    // A cookie session must come from this site to change anything.
    expect((await post({ kind: 'retry', ...group, reason: 'crm is back' }, operator.cookie)).status).toBe(403);

    const bad = await post({ kind: 'explode', pipeline: 'alpha', step: '', reason: 'x' });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues.map((issue) => issue.path).sort();
    expect(issues).toEqual(['error_class', 'kind', 'pipeline', 'reason', 'step']);
    expect((await post({ kind: 'retry', ...group, reason: 'crm is back', extra: true })).status).toBe(400);
    expect((await post({ kind: 'retry', ...group, error_class: 'NoSuchError', reason: 'crm is back' })).status).toBe(404);
    expect(await auditActions(Object.values(runs))).toEqual([]);
    expect((await stepStates(testDb, runs.a1 ?? '')).extract).toBe('failed');
  });

  it('previews, then retries every failed step of a group, each its own audited operation; the runs complete', async () => {
    const preview = await get('/api/failures/operations/preview?kind=retry&pipeline=triage%2Falpha&step=extract&error_class=SourceDown', operator.bearer);
    expect(preview.status).toBe(200);
    expect(await preview.json()).toEqual({
      kind: 'retry',
      pipeline: 'triage/alpha',
      step: 'extract',
      error_class: 'SourceDown',
      // Oldest run first: the order the operation acts in.
      planned: [
        { run: runs.a1, step: 'extract', steps: ['extract', 'load'] },
        { run: runs.a2, step: 'extract', steps: ['extract', 'load'] },
      ],
      refused: [],
      remaining: 0,
    });

    healed.add(runs.a1 ?? '');
    healed.add(runs.a2 ?? '');
    const retried = await post({ kind: 'retry', pipeline: 'triage/alpha', step: 'extract', error_class: 'SourceDown', reason: 'crm is back' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({
      kind: 'retry',
      pipeline: 'triage/alpha',
      step: 'extract',
      error_class: 'SourceDown',
      affected: [
        { run: runs.a1, step: 'extract', steps: ['extract', 'load'] },
        { run: runs.a2, step: 'extract', steps: ['extract', 'load'] },
      ],
      refused: [],
      remaining: 0,
    });
    await waitForTaskStatus(testDb, runs.a1 ?? '', ['completed']);
    await waitForTaskStatus(testDb, runs.a2 ?? '', ['completed']);
    expect(await auditActions([runs.a1 ?? '', runs.a2 ?? ''])).toEqual([
      { target: runs.a1, action: 'run.retry_step', step: 'extract', reason: 'crm is back' },
      { target: runs.a2, action: 'run.retry_step', step: 'extract', reason: 'crm is back' },
    ]);
    // The group is gone; the cancelled run's failed step was never part of it and was not touched.
    expect((await listFailureGroups(testDb, { pipeline: 'triage/alpha' })).map((group) => group.errorClass)).toEqual(['AuthFailed']);
    expect((await stepStates(testDb, runs.cancelled ?? '')).extract).toBe('failed');
    expect((await post({ kind: 'retry', pipeline: 'triage/alpha', step: 'extract', error_class: 'SourceDown', reason: 'again' })).status).toBe(404);
  });

  it('resolves every failed child of a mapped step, one audited operation per child', async () => {
    const resolved = await post({ kind: 'resolve', pipeline: 'triage/fanout', step: 'square', error_class: 'BadItem', reason: 'bad items dropped by hand' });
    expect(resolved.status).toBe(200);
    const body = (await resolved.json()) as { affected: { run: string; step: string }[]; refused: unknown[] };
    expect(body.affected.map(({ run, step }) => ({ run, step }))).toEqual([
      { run: runs.f1, step: 'square[1]' },
      { run: runs.f1, step: 'square[3]' },
      { run: runs.f2, step: 'square[0]' },
    ]);
    expect(body.refused).toEqual([]);
    await waitForTaskStatus(testDb, runs.f1 ?? '', ['completed']);
    await waitForTaskStatus(testDb, runs.f2 ?? '', ['completed']);
    const audit = await auditActions([runs.f1 ?? '', runs.f2 ?? '']);
    expect(audit.map(({ action, step }) => `${action} ${step}`)).toEqual(['run.resolve_step square[1]', 'run.resolve_step square[3]', 'run.resolve_step square[0]']);
    expect(await listFailureGroups(testDb, { pipeline: 'triage/fanout' })).toEqual([]);
  });
});
