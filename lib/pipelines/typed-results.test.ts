/**
 * A pipeline that declares its step results: each handler must return what is declared under its name, and a
 * dependent reads its ancestors' results with their types — no casts; with its graph declared too, reading a step
 * that is not an ancestor does not compile, and without one it throws NotAnAncestorError at run time. The
 * compile-time half is checked by `npm run typecheck` (an unused @ts-expect-error is an error there); the run-time
 * half runs real tasks.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, definePipeline, launchTask, NotAnAncestorError } from '@/lib/engine';
import { attemptsOf, makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';

type Results = {
  count: { rows: number; source: string };
  report: { sentence: string };
};

let reported = '';

const pipeline = definePipeline<z.ZodObject<{ label: z.ZodString }>, Results>({
  namespace: 'typed',
  name: 'results',
  version: '1',
  description: 'one step feeding another',
  input: z.object({ label: z.string() }),
  steps: [
    { name: 'count', handler: async (ctx) => ({ rows: 3, source: ctx.context.label }) },
    {
      name: 'report',
      dependsOn: 'count',
      handler: async (ctx) => {
        expectTypeOf(ctx.results.count).toEqualTypeOf<Results['count'] | undefined>();
        const counted = ctx.results.count;
        reported = `${counted?.rows ?? 0} rows from ${counted?.source ?? 'nowhere'}`;
        return { sentence: reported };
      },
    },
  ],
});

type ChainResults = {
  fetch: { rows: number };
  clean: { kept: number };
  report: { line: string };
  audit: { checked: boolean };
};
type ChainGraph = { fetch: never; clean: 'fetch'; report: 'clean'; audit: never };

let chainReport = '';

/** report reads fetch two levels up; audit is a separate root it may not read. */
const chain = definePipeline<z.ZodObject<Record<string, never>>, ChainResults, ChainGraph>({
  namespace: 'typed',
  name: 'chain',
  version: '1',
  description: 'an ancestor two levels up',
  input: z.object({}),
  steps: [
    { name: 'fetch', handler: async () => ({ rows: 10 }) },
    { name: 'clean', dependsOn: 'fetch', handler: async (ctx) => ({ kept: (ctx.results.fetch?.rows ?? 0) - 2 }) },
    {
      name: 'report',
      dependsOn: 'clean',
      handler: async (ctx) => {
        expectTypeOf(ctx.results.fetch).toEqualTypeOf<ChainResults['fetch'] | undefined>();
        // Exactly its ancestors: audit, a root of its own, is not there to read.
        expectTypeOf<keyof typeof ctx.results>().toEqualTypeOf<'fetch' | 'clean'>();
        // @ts-expect-error: audit is not an ancestor of report (never called: at run time the read would throw)
        const readAudit = () => ctx.results.audit;
        expect(typeof readAudit).toBe('function');
        chainReport = `${ctx.results.clean?.kept} of ${ctx.results.fetch?.rows}`;
        return { line: chainReport };
      },
    },
    { name: 'audit', handler: async () => ({ checked: true }) },
  ],
});

/** Undeclared types: the engine still refuses a non-ancestor, at run time. */
const untyped = definePipeline({
  namespace: 'typed',
  name: 'untyped',
  version: '1',
  description: 'reads a sibling',
  input: z.object({}),
  steps: [
    { name: 'left', handler: async () => 1 },
    { name: 'right', handler: async () => 2 },
    { name: 'peek', dependsOn: 'left', retryLimit: 3, handler: async (ctx) => ctx.results.right ?? null },
  ],
});

describe('typed step results', () => {
  it('a dependsOn outside the declared graph does not compile', () => {
    const define = () =>
      definePipeline<z.ZodObject<Record<string, never>>, ChainResults, ChainGraph>({
        namespace: 'typed',
        name: 'wrong_graph',
        version: '1',
        description: 'does not compile',
        input: z.object({}),
        steps: [
          { name: 'fetch', handler: async () => ({ rows: 1 }) },
          // @ts-expect-error: the graph says clean depends on fetch only
          { name: 'clean', dependsOn: 'audit', handler: async () => ({ kept: 1 }) },
          { name: 'report', dependsOn: 'clean', handler: async () => ({ line: '' }) },
          { name: 'audit', handler: async () => ({ checked: true }) },
        ],
      });
    expect(define).not.toThrow();
  });

  it('reject a handler that returns something else, and a dependency that does not exist', () => {
    const define = () => definePipeline<z.ZodObject<Record<string, never>>, Results>({
      namespace: 'typed',
      name: 'wrong',
      version: '1',
      description: 'does not compile',
      input: z.object({}),
      steps: [
        // @ts-expect-error: count must return { rows, source }
        { name: 'count', handler: async () => ({ rows: 'three' }) },
        // @ts-expect-error: there is no step "counts"
        { name: 'report', dependsOn: 'counts', handler: async () => ({ sentence: '' }) },
      ],
    });
    // The unknown dependency is refused at run time too, for pipelines that declare no results.
    expect(define).toThrow('depends on unknown step "counts"');
  });

  describe('at run time', () => {
    let testDb: TestDatabase;
    beforeAll(async () => {
      testDb = await createTestDatabase();
    });
    afterAll(async () => {
      await testDb?.drop();
    });

    it('a dependent receives its dependency\'s result as declared', async () => {
      const registry = createRegistry();
      registry.register(pipeline);
      const workers = makeWorkerFactory();
      try {
        await workers.start(testDb, registry);
        const { taskId } = await launchTask(testDb, registry, { namespace: 'typed', name: 'results', context: { label: 'crm' }, initiator: 'test' });
        await waitForTaskStatus(testDb, taskId, ['completed']);
        expect(reported).toBe('3 rows from crm');
      } finally {
        await workers.stopAll();
      }
    });

    it('a step reads an ancestor two levels up; reading a non-ancestor fails the step once, with the reason', async () => {
      const registry = createRegistry();
      registry.register(chain);
      registry.register(untyped);
      const workers = makeWorkerFactory();
      try {
        await workers.start(testDb, registry);
        const ok = await launchTask(testDb, registry, { namespace: 'typed', name: 'chain', context: {}, initiator: 'test' });
        await waitForTaskStatus(testDb, ok.taskId, ['completed']);
        expect(chainReport).toBe('8 of 10');

        const bad = await launchTask(testDb, registry, { namespace: 'typed', name: 'untyped', context: {}, initiator: 'test' });
        await waitForTaskStatus(testDb, bad.taskId, ['failed']);
        const peeks = (await attemptsOf(testDb, bad.taskId)).filter((attempt) => attempt.stepName === 'peek');
        // Permanent: a retry would read the same missing edge.
        expect(peeks).toHaveLength(1);
        expect(peeks[0]?.errorClass).toBe(new NotAnAncestorError('').name);
        expect(peeks[0]?.errorMessage).toBe(
          'Step "peek" read the result of "right", which is not one of its ancestors (it may read "left"). ' +
            'Add the step to its dependsOn, directly or through a dependency.',
        );
      } finally {
        await workers.stopAll();
      }
    });
  });
});
