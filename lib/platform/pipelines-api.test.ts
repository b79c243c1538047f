/**
 * The HTTP API for every pipeline: GET /api/pipelines, POST /api/pipelines/{name}/runs, GET /api/runs/{id} and
 * /api/runs/{id}/results over real HTTP with real tokens and a real worker; and the same functions with a second,
 * mapped pipeline of a test's own, to show nothing in them knows customer_analytics. Bad input is a 4xx that writes
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { createRegistry, createWorker, definePipeline, type Worker } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { serveRoutes, useAppDatabase, type TestServer } from '@/tests/setup/http';
import type { PipelineModule } from './pipeline-module';
import { describePipelines, startPipelineRun } from './pipelines-api';

let testDb: TestDatabase;
let server: TestServer;
let worker: Worker;
let forgetAppDatabase: () => Promise<void>;
let operator: TestIdentity;
let viewer: TestIdentity;

const DAY = '2026-01-15';

const countTasks = async () => (await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM tasks')).rows[0]!.count;
const get = (path: string, identity: TestIdentity) => fetch(`${server.url}${path}`, { headers: identity.bearer });
const post = (path: string, body: string, identity: TestIdentity, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...identity.bearer, ...headers } });

beforeAll(async () => {
  testDb = await createTestDatabase();
  forgetAppDatabase = useAppDatabase(testDb.url);
  server = await serveRoutes({
    '/api/pipelines': await import('@/app/api/pipelines/route'),
    '/api/pipelines/[name]/runs': await import('@/app/api/pipelines/[name]/runs/route'),
    '/api/runs/[id]': await import('@/app/api/runs/[id]/route'),
    '/api/runs/[id]/results': await import('@/app/api/runs/[id]/results/route'),
    '/demo/crm/users': await import('@/app/demo/crm/users/route'),
    '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
    '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
  });
  process.env.CRM_URL = `${server.url}/demo/crm`;
  process.env.INVENTORY_URL = `${server.url}/demo/inventory`;
  process.env.SLACK_WEBHOOK_URL = `${server.url}/demo/slack/webhook`;
  const { seedDemoData } = await import('@/lib/demo/generator/seed-if-empty');
  await seedDemoData(testDb.url, testDb.url, { customers: 200, products: 30, days: 31, orders: 1_500, seed: 3, endDate: new Date('2026-02-01T00:00:00Z') });
  operator = await createIdentity(testDb.db, 'operator');
  viewer = await createIdentity(testDb.db, 'viewer');
  const { buildRegistry } = await import('@/lib/runtime/registry');
  const { getDb } = await import('@/lib/database');
  worker = createWorker({ db: getDb(), registry: buildRegistry(), concurrency: 4, leaseMs: 10_000, heartbeatMs: 1_000, pollIntervalMs: 200 });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop({ graceMs: 2_000 });
  await server?.close();
  await forgetAppDatabase?.();
  await testDb?.drop();
});

describe('GET /api/pipelines', () => {
  it('lists every served version with its steps, as the registry holds them', async () => {
    const response = await get('/api/pipelines', viewer);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { pipelines: { name: string; version: string; definition_hash: string; steps: { name: string; depends_on: string[]; severity: string | null; maps_over: string | null; retry_limit: number; timeout_ms: number | null }[] }[] };
    const analytics = body.pipelines.find((pipeline) => pipeline.name === 'customer_analytics');
    const { buildRegistry } = await import('@/lib/runtime/registry');
    const registered = buildRegistry().require('data_pipeline', 'customer_analytics');
    expect(analytics).toMatchObject({ namespace: 'data_pipeline', version: registered.version, definition_hash: registered.definitionHash });
    expect(analytics?.steps.map((step) => step.name)).toEqual(registered.steps.map((step) => step.name));
    expect(analytics?.steps.find((step) => step.name === 'extract_orders')).toEqual({
      name: 'extract_orders', depends_on: [], retry_limit: 3, timeout_ms: 30 * 60_000, severity: 'critical', maps_over: null,
    });
  });

  it('needs a sign-in', async () => {
    expect((await fetch(`${server.url}/api/pipelines`)).status).toBe(401);
  });
});

describe('POST /api/pipelines/{name}/runs', () => {
  it.each([
    ['an unknown pipeline', '/api/pipelines/nope/runs', JSON.stringify({}), 404, 'No pipeline named "nope" is registered; known: data_pipeline/customer_analytics, data_pipeline/customer_retention'],
    ['malformed JSON', '/api/pipelines/customer_analytics/runs', '{"date_range":', 400, 'body is not valid JSON'],
    ['input the pipeline refuses', '/api/pipelines/customer_analytics/runs', JSON.stringify({ date_range: { start_date: '2026-02-30', end_date: DAY } }), 400, 'invalid input'],
  ])('answers %s with a 4xx and writes nothing', async (_what, path, body, status, error) => {
    const before = await countTasks();
    const response = await post(path, body, operator);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
    expect(await countTasks()).toBe(before);
  });

  it('names the field that is wrong', async () => {
    const response = await post('/api/pipelines/customer_analytics/runs', JSON.stringify({ date_range: { start_date: DAY, end_date: DAY }, colour: 'blue' }), operator);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toContain('colour');
  });

  it('refuses a viewer', async () => {
    const response = await post('/api/pipelines/customer_analytics/runs', JSON.stringify({ date_range: { start_date: DAY, end_date: DAY } }), viewer);
    expect(response.status).toBe(403);
  });

  it('starts a run (202), which GET /api/runs/{id} follows and GET /api/runs/{id}/results reads once it published', async () => {
    const response = await post('/api/pipelines/data_pipeline%2Fcustomer_analytics/runs', JSON.stringify({ date_range: { start_date: DAY, end_date: DAY } }), operator);
    expect(response.status).toBe(202);
    const started = (await response.json()) as { task_id: string; status: string; status_url: string };
    expect(started).toMatchObject({ status: 'pending', status_url: `/api/runs/${started.task_id}` });

    const { getDb } = await import('@/lib/database');
    await waitForTaskStatus(getDb(), started.task_id, ['completed'], 60_000);
    const run = (await (await get(`/api/runs/${started.task_id}`, viewer)).json()) as {
      task_id: string; version: string; definition_hash: string; status: string; steps: { name: string; depends_on: string[]; map_index: number | null; map_parent: string | null }[];
    };
    const { buildRegistry } = await import('@/lib/runtime/registry');
    expect(run).toMatchObject({ task_id: started.task_id, status: 'completed', definition_hash: buildRegistry().require('data_pipeline', 'customer_analytics').definitionHash });
    expect(run.steps.find((step) => step.name === 'generate_insights')).toMatchObject({ depends_on: ['transform_customer_metrics', 'transform_product_metrics'], map_index: null, map_parent: null });

    const results = await get(`/api/runs/${started.task_id}/results`, viewer);
    expect(results.status).toBe(200);
    const published = (await results.json()) as { pipeline: string; results: { insights: unknown[] } };
    expect(published.pipeline).toBe('data_pipeline/customer_analytics');
    expect(published.results.insights.length).toBeGreaterThan(0);

    // The pipeline's start policy holds on this path too: the same window again reuses the published run.
    const again = await post('/api/pipelines/customer_analytics/runs', JSON.stringify({ date_range: { start_date: DAY, end_date: DAY } }), operator);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ task_id: started.task_id, reused: true });
  });

  it('answers 404 for an unknown run and 400 for a malformed id', async () => {
    expect((await get('/api/runs/00000000-0000-4000-8000-000000000000', viewer)).status).toBe(404);
    expect((await get('/api/runs/not-a-uuid', viewer)).status).toBe(400);
    expect((await get('/api/runs/00000000-0000-4000-8000-000000000000/results', viewer)).status).toBe(404);
  });
});

describe('the same API for a pipeline of any shape', () => {
  const squares = definePipeline<z.ZodObject<{ n: z.ZodDefault<z.ZodNumber> }>, { list: number[]; square: number[]; sum: number }, { list: never; square: 'list'; sum: 'square' }>({
    namespace: 'examples',
    name: 'squares',
    version: '2.0.0',
    description: 'squares of 1..n',
    input: z.object({ n: z.number().int().min(0).max(50).default(3) }).strict(),
    steps: [
      { name: 'list', handler: async (ctx) => Array.from({ length: ctx.context.n }, (_, index) => index + 1) },
      { name: 'square', dependsOn: 'list', mapsOver: 'list', metadata: { severity: 'low' }, handler: async (ctx) => ctx.item * ctx.item },
      { name: 'sum', dependsOn: 'square', handler: async (ctx) => (ctx.results.square ?? []).reduce((a, b) => a + b, 0) },
    ],
  });
  const published = new Map<string, number>();
  const modules: PipelineModule[] = [{ definitions: [squares], readResults: async (_db, taskId) => published.get(taskId) ?? null }];

  it('describes it, with its map', () => {
    expect(describePipelines(modules).pipelines[0]?.steps.find((step) => step.name === 'square')).toEqual({
      name: 'square', depends_on: ['list'], retry_limit: 3, timeout_ms: null, severity: 'low', maps_over: 'list',
    });
  });

  it('starts it at its newest version, refuses bad input with field paths, and a repeated idempotency key returns the same run', async () => {
    const registry = createRegistry();
    registry.register(squares);
    const workers = makeWorkerFactory();
    try {
      await workers.start(testDb, registry);
      const refused = await startPipelineRun(testDb, registry, modules, { pipeline: 'squares', input: { n: 99, colour: 'blue' }, initiator: 'test' });
      expect(refused).toMatchObject({ kind: 'started', result: { ok: false } });
      if (refused.kind === 'started' && !refused.result.ok) expect(refused.result.issues.map((issue) => issue.path).sort()).toEqual(['colour', 'n']);
      expect(await startPipelineRun(testDb, registry, modules, { pipeline: 'circles', input: {}, initiator: 'test' })).toEqual({
        kind: 'unknown_pipeline', message: 'No pipeline named "circles" is registered; known: examples/squares',
      });

      const first = await startPipelineRun(testDb, registry, modules, { pipeline: 'squares', input: { n: 4 }, initiator: 'test', idempotencyKey: 'k1' });
      const second = await startPipelineRun(testDb, registry, modules, { pipeline: 'examples/squares', input: { n: 4 }, initiator: 'test', idempotencyKey: 'k1' });
      if (first.kind !== 'started' || !first.result.ok || second.kind !== 'started' || !second.result.ok) throw new Error('both starts should succeed');
      expect(first.result.created).toBe(true);
      expect(second.result).toMatchObject({ taskId: first.result.taskId, created: false });
      await waitForTaskStatus(testDb, first.result.taskId, ['completed']);
      const version = await testDb.pool.query<{ version: string }>('SELECT version FROM tasks WHERE id = $1', [first.result.taskId]);
      expect(version.rows[0]?.version).toBe('2.0.0');
    } finally {
      await workers.stopAll();
    }
  });
});
