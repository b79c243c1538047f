/**
 * A source that answers 429 with Retry-After ten times, then 200: the step completes on the same run, each wait
 * matches the header, and none of the ten rate-limited attempts spends the step's retry budget (retryLimit 3).
 * A real HTTP server, the real source client, the real engine on real PostgreSQL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createRegistry, definePipeline, launchTask } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { translatingSourceErrors } from '@/lib/pipelines/customer-analytics/sources';
import { getJson } from './http-client';

const LIMITED_ANSWERS = 10;
let testDb: TestDatabase;
let server: http.Server;
let url = '';
let requests = 0;
const workers = makeWorkerFactory();

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = http.createServer((_request, response) => {
    requests += 1;
    if (requests <= LIMITED_ANSWERS) {
      response.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"error":"slow down"}');
    } else {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/users`;
});
afterAll(async () => {
  await workers.stopAll();
  await new Promise((resolve) => server.close(resolve));
  await testDb.drop();
});

describe('rate-limited sources', () => {
  it('waits as Retry-After says, ten times, and completes without spending the retry budget', async () => {
    const registry = createRegistry();
    registry.register(
      definePipeline({
        namespace: 'sources',
        name: 'rate_limited',
        version: '1',
        description: 'a step against a source that rate-limits',
        input: z.object({}),
        steps: [
          {
            name: 'fetch',
            retryLimit: 3,
            handler: () => translatingSourceErrors(() => getJson(url, z.object({ ok: z.boolean() }), { source: 'crm' })),
          },
        ],
      }),
    );
    await workers.start(testDb, registry, { backoff: { baseMs: 50, capMs: 5_000 } });
    const { taskId } = await launchTask(testDb, registry, { namespace: 'sources', name: 'rate_limited', context: {}, initiator: 'test' });
    await waitForTaskStatus(testDb, taskId, ['completed'], 40_000);

    const attempts = await testDb.pool.query<{ outcome: string; startedAt: Date; finishedAt: Date }>(
      `SELECT outcome, started_at AS "startedAt", finished_at AS "finishedAt" FROM step_attempts WHERE task_id = $1 ORDER BY attempt_number`,
      [taskId],
    );
    expect(attempts.rows.map((row) => row.outcome)).toEqual([...Array<string>(LIMITED_ANSWERS).fill('rate_limited'), 'completed']);
    for (let index = 1; index < attempts.rows.length; index += 1) {
      const waitedMs = attempts.rows[index]!.startedAt.getTime() - attempts.rows[index - 1]!.finishedAt.getTime();
      expect(waitedMs).toBeGreaterThanOrEqual(990);
      expect(waitedMs).toBeLessThan(2_500);
    }
    const step = await testDb.pool.query(
      `SELECT status, budget_attempts AS "budgetAttempts", rate_limited_attempts AS "rateLimited" FROM steps WHERE task_id = $1`,
      [taskId],
    );
    expect(step.rows[0]).toEqual({ status: 'completed', budgetAttempts: 1, rateLimited: LIMITED_ANSWERS });
  }, 60_000);
});
