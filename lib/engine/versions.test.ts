/**
 * Versions pinned per run: a run finishes on the graph it started with after a deploy changes the pipeline; new runs
 * get the newest version; a run whose version no worker serves is reported (and alerted) instead of waiting in
 * silence; a step whose handler vanished from its version fails with PipelineVersionRetired naming both definitions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask, PipelineVersionRetiredError, readUnservedTasks, type PipelineDefinition } from '@/lib/engine';
import { loadRunDetail } from '@/lib/console/read-models';
import { watchUnservedVersions } from '@/lib/monitoring/unserved-versions';
import { attemptsOf, makeWorkerFactory, quietLogger, stepStates, waitFor, waitForTaskStatus } from './test-fixtures/harness';
import { customerAnalyticsDelivery } from '@/lib/pipelines/customer-analytics/delivery';

let testDb: TestDatabase;
const workers = makeWorkerFactory();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await workers.stopAll();
});
afterAll(async () => {
  await testDb.drop();
});

const ran: string[] = [];
const step = (name: string, dependsOn?: string, options: { timeoutMs?: number; gate?: () => Promise<void> } = {}) => ({
  name,
  dependsOn,
  timeoutMs: options.timeoutMs,
  handler: async () => {
    await options.gate?.();
    ran.push(name);
    return { name };
  },
});

let releaseV1Extract: () => void = () => undefined;
const v1Gate = new Promise<void>((resolve) => (releaseV1Extract = resolve));

/** v1: extract → clean → load. v2 drops clean and adds validate (extract → validate → load), with another timeout. */
const v1 = definePipeline({
  namespace: 'versions',
  name: 'etl',
  version: '1.0.0',
  description: 'v1',
  input: z.object({}),
  steps: [step('extract', undefined, { gate: () => v1Gate }), step('clean', 'extract', { timeoutMs: 60_000 }), step('load', 'clean')],
});
const v2 = definePipeline({
  namespace: 'versions',
  name: 'etl',
  version: '2.0.0',
  description: 'v2',
  input: z.object({}),
  steps: [step('extract'), step('validate', 'extract'), step('load', 'validate', { timeoutMs: 5 })],
});

const registryOf = (...definitions: PipelineDefinition[]) => {
  const registry = createRegistry();
  for (const definition of definitions) registry.register(definition);
  return registry;
};

async function stepNames(taskId: string): Promise<string[]> {
  const { rows } = await testDb.pool.query<{ name: string }>(`SELECT name FROM steps WHERE task_id = $1 ORDER BY position`, [taskId]);
  return rows.map((row) => row.name);
}

describe('versions pinned per run', () => {
  it('a v1 run finishes on v1\'s graph after the worker restarts with v2; a new run gets v2', async () => {
    const first = await workers.start(testDb, registryOf(v1));
    const old = await launchTask(testDb, registryOf(v1), { namespace: 'versions', name: 'etl', context: {}, initiator: 'test' });
    await waitFor('extract of v1 to start', async () => ((await stepStates(testDb, old.taskId)).extract === 'running' ? true : undefined));
    const pinned = await testDb.pool.query<{ version: string; hash: string }>(`SELECT version, definition_hash AS hash FROM tasks WHERE id = $1`, [old.taskId]);
    expect(pinned.rows[0]).toEqual({ version: '1.0.0', hash: v1.definitionHash });

    // The deploy: this worker stops (its extract attempt is released), the next one serves v2 and still v1.
    releaseV1Extract();
    await first.stop({ graceMs: 0 });
    const deployed = registryOf(v2, v1);
    await workers.start(testDb, deployed);
    await waitForTaskStatus(testDb, old.taskId, ['completed']);
    expect(await stepNames(old.taskId)).toEqual(['extract', 'clean', 'load']);
    expect(ran).toContain('clean');

    const fresh = await launchTask(testDb, deployed, { namespace: 'versions', name: 'etl', context: {}, initiator: 'test' });
    await waitForTaskStatus(testDb, fresh.taskId, ['completed', 'failed']);
    const freshRow = await testDb.pool.query<{ version: string; hash: string }>(`SELECT version, definition_hash AS hash FROM tasks WHERE id = $1`, [fresh.taskId]);
    expect(freshRow.rows[0]).toEqual({ version: '2.0.0', hash: v2.definitionHash });
    expect(await stepNames(fresh.taskId)).toEqual(['extract', 'validate', 'load']);
    // v2's load pinned v2's 5 ms timeout; v1's run never saw it.
    const timeouts = await testDb.pool.query<{ taskId: string; timeoutMs: number | null }>(
      `SELECT task_id AS "taskId", timeout_ms AS "timeoutMs" FROM steps WHERE name = 'load' ORDER BY task_id`,
    );
    expect(Object.fromEntries(timeouts.rows.map((row) => [row.taskId, row.timeoutMs]))).toEqual({ [old.taskId]: null, [fresh.taskId]: 5 });
  });

  it('a run whose version no worker serves is reported and alerted, and the alert resolves once it is served again', async () => {
    await workers.start(testDb, registryOf(v2));
    const stranded = await launchTask(testDb, registryOf(v1), { namespace: 'versions', name: 'etl', version: '1.0.0', context: {}, initiator: 'test' });
    const unserved = await waitFor('the v1 run to be reported', async () => {
      const found = (await readUnservedTasks(testDb.pool, { aliveWithinSeconds: 30 })).find((task) => task.taskId === stranded.taskId);
      return found;
    });
    expect(unserved).toEqual({ taskId: stranded.taskId, namespace: 'versions', name: 'etl', version: '1.0.0', servedVersions: ['versions/etl@2.0.0'] });

    const watch = () => watchUnservedVersions(testDb.pool, { logger: quietLogger, linkBaseUrl: 'http://nightshift.test' });
    expect((await watch()).raised).toContain(stranded.taskId);
    // Once per run.
    expect((await watch()).raised).not.toContain(stranded.taskId);
    const alert = await testDb.pool.query<{ severity: string; title: string }>(`SELECT severity, title FROM alerts WHERE task_id = $1`, [stranded.taskId]);
    expect(alert.rows).toEqual([
      {
        severity: 'high',
        title: 'A run of versions/etl@1.0.0 cannot progress: no worker serves 1.0.0 (workers serve versions/etl@2.0.0). Deploy it again or cancel the run.',
      },
    ]);

    // The run page says so too.
    expect((await loadRunDetail(testDb, stranded.taskId, customerAnalyticsDelivery))?.unserved).toEqual({ servedVersions: ['versions/etl@2.0.0'] });

    await workers.start(testDb, registryOf(v1));
    await waitForTaskStatus(testDb, stranded.taskId, ['completed']);
    expect((await loadRunDetail(testDb, stranded.taskId, customerAnalyticsDelivery))?.unserved).toBeNull();
    expect((await watch()).resolved).toEqual([stranded.taskId]);
    const after = await testDb.pool.query<{ status: string }>(`SELECT status FROM alerts WHERE task_id = $1`, [stranded.taskId]);
    expect(after.rows).toEqual([{ status: 'resolved' }]);
  });

  it('a step whose handler vanished from its (same-numbered) version fails with PipelineVersionRetired', async () => {
    const original = definePipeline({
      namespace: 'versions',
      name: 'edited',
      version: '1.0.0',
      description: 'before the edit',
      input: z.object({}),
      steps: [step('a'), step('b', 'a')],
    });
    const editedInPlace = definePipeline({
      namespace: 'versions',
      name: 'edited',
      version: '1.0.0',
      description: 'b renamed without a new version',
      input: z.object({}),
      steps: [step('a'), step('b2', 'a')],
    });
    expect(editedInPlace.definitionHash).not.toBe(original.definitionHash);
    const run = await launchTask(testDb, registryOf(original), { namespace: 'versions', name: 'edited', context: {}, initiator: 'test' });
    await workers.start(testDb, registryOf(editedInPlace));
    await waitForTaskStatus(testDb, run.taskId, ['failed']);
    const failed = (await attemptsOf(testDb, run.taskId)).filter((attempt) => attempt.stepName === 'b');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.errorClass).toBe(new PipelineVersionRetiredError('').name);
    expect(failed[0]?.errorMessage).toBe(
      `Step "b" of this run (versions/edited@1.0.0, definition ${original.definitionHash.slice(0, 12)}) has no handler in this worker's ` +
        `versions/edited@1.0.0 (definition ${editedInPlace.definitionHash.slice(0, 12)}): the version was changed in place after the run started. ` +
        "Deploy the run's version again (keep it registered until its runs finish), or resolve the step by hand.",
    );
  });
});
