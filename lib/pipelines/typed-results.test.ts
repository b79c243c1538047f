/**
 * A pipeline that declares its step results: each handler must return what is declared under its name, and a
 * dependent reads its dependencies' results with their types — no casts. The compile-time half is checked by
 * `npm run typecheck` (an unused @ts-expect-error is an error there); the run-time half runs a real task.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
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

describe('typed step results', () => {
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
  });
});
