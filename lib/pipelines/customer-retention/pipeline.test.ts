/**
 * customer_retention: the input's rules, the cohort SQL against a reference computed from the raw fixture rows
 * (two zones, and the 23:30 UTC month-end boundary), and whole runs through the engine — map expansion, publish
 * (versioned, idempotent on retry) and readResults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, getTask, InputValidationError, launchTask, type PipelineRegistry } from '@/lib/engine';
import { makeWorkerFactory, waitForTaskStatus } from '@/lib/engine/test-fixtures/harness';
import { publishRetentionMatrix } from '@/lib/retention/publish';
import { LATEST_SNAPSHOT_SQL, readRetentionView, SNAPSHOT_OF_TASK_SQL } from '@/lib/retention/read-model';
import type { SlackClient, SlackMessageInput } from '@/lib/sources/slack-client';
import { addMonths } from '@/lib/time/zoned-time';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { createCustomerRetentionPipeline, CUSTOMER_RETENTION } from './definition';
import { expectedMatrix, generateOrders, type FixtureOrder } from './fixture.test-data';
import { customerRetentionModule } from './index';
import { customerRetentionInput, lastCompleteMonth } from './input';
import { buildRetentionMatrix } from './steps/build-retention-matrix';
import { listCohorts } from './steps/list-cohorts';
import { measureCohort } from './steps/measure-cohort';

const ORDERS = generateOrders({ customers: 400, from: '2024-06', to: '2026-10', seed: 27 });
const END_MONTH = '2026-10';

async function loadOrders(db: TestDatabase, orders: readonly FixtureOrder[]) {
  await db.pool.query(
    `INSERT INTO shop.orders (id, customer_id, total_amount, status, created_at)
     SELECT id, customer_id, 10, 'completed', created_at FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS o(id, customer_id, created_at)`,
    [orders.map((o) => o.id), orders.map((o) => o.customerId), orders.map((o) => o.createdAt)],
  );
}

/** The steps' output without the engine: list, one measure per cohort, build. */
async function computeWithSteps(db: TestDatabase, input: { months: number; endMonth: string; timeZone: string }) {
  const start = addMonths(input.endMonth, 1 - input.months);
  const cohorts = await listCohorts(db.pool, { first: start, last: input.endMonth, timeZone: input.timeZone });
  const counts = await Promise.all(cohorts.map((cohort) => measureCohort(db.pool, { cohort, last: input.endMonth, timeZone: input.timeZone })));
  return { cohorts, matrix: buildRetentionMatrix(counts) };
}

describe('the input', () => {
  const issues = (value: unknown) => {
    const parsed = customerRetentionInput.safeParse(value);
    return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
  };

  it('defaults to 12 months ending with the last complete month', () => {
    const parsed = customerRetentionInput.parse({});
    expect(parsed.months).toBe(12);
    expect(parsed.end_month).toMatch(/^\d{4}-\d{2}$/);
    expect(parsed.end_month < new Date().toISOString().slice(0, 7)).toBe(true);
  });

  it('takes the last complete month in the zone: 02:00 UTC on 1 December is still November in New York', () => {
    expect(lastCompleteMonth(new Date('2026-12-01T02:00:00Z'), 'America/New_York')).toBe('2026-10');
    expect(lastCompleteMonth(new Date('2026-12-01T02:00:00Z'), 'UTC')).toBe('2026-11');
    expect(lastCompleteMonth(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('2025-12');
  });

  it('names the field of every mistake', () => {
    expect(issues({ months: 0 })).toEqual({ months: 'must be at least 1' });
    expect(issues({ months: 37 })).toEqual({ months: 'must be at most 36' });
    expect(issues({ months: 2.5 })).toEqual({ months: 'must be a whole number of months' });
    expect(issues({ months: '12' })).toEqual({ months: 'must be a whole number of months' });
    expect(issues({ end_month: '2026-13' })).toEqual({ end_month: 'must be a month in YYYY-MM form, e.g. 2026-10' });
    expect(issues({ end_month: '2026-1' })).toEqual({ end_month: 'must be a month in YYYY-MM form, e.g. 2026-10' });
    expect(issues({ end_month: '2999-01' })).toMatchObject({ end_month: expect.stringMatching(/^must be a complete month: \d{4}-\d{2} or earlier$/) });
    expect(issues({ end_month: '2000-06', months: 12 })).toEqual({ months: 'reaches before 2000-01, the earliest month with data' });
    expect(issues({ months: 12, extra: true })).toHaveProperty('');
    expect(issues({ months: 36, end_month: '2026-10' })).toEqual({});
  });
});

describe('with a database', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    await loadOrders(testDb, ORDERS);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it.each(['Europe/Berlin', 'America/New_York', 'UTC'])('the steps compute the reference matrix in %s', async (timeZone) => {
    const expected = expectedMatrix(ORDERS, { months: 12, endMonth: END_MONTH, timeZone });
    // The fixture is meant to exercise: most months have a cohort, cohorts lapse, and older rows are longer.
    expect(expected.cohorts.length).toBeGreaterThanOrEqual(10);
    expect(expected.cohorts.some((cohort) => cohort.retention.slice(1).some((share) => share < 0.5))).toBe(true);
    const { cohorts, matrix } = await computeWithSteps(testDb, { months: 12, endMonth: END_MONTH, timeZone });
    expect(cohorts).toEqual(expected.cohorts.map((cohort) => cohort.cohort));
    expect(matrix).toEqual(expected);
    expect(matrix.cohorts.every((cohort) => cohort.retention[0] === 1)).toBe(true);
  });

  it('the zone decides the cohort of the month-end orders (the fixture puts every fifth at 23:30 UTC on the last day)', () => {
    const berlin = expectedMatrix(ORDERS, { months: 12, endMonth: END_MONTH, timeZone: 'Europe/Berlin' });
    const utc = expectedMatrix(ORDERS, { months: 12, endMonth: END_MONTH, timeZone: 'UTC' });
    expect(berlin).not.toEqual(utc);
  });

  describe('one customer at the boundary', () => {
    let boundaryDb: TestDatabase;
    beforeAll(async () => {
      boundaryDb = await createTestDatabase();
      await loadOrders(boundaryDb, [
        // Customer 1 first orders at 23:30 UTC on 31 January: 00:30 on 1 February in Berlin.
        { id: 1, customerId: 1, createdAt: '2026-01-31T23:30:00Z' },
        // Customer 2 is a January customer everywhere; their second order is late on 28 February UTC (March in Berlin).
        { id: 2, customerId: 2, createdAt: '2026-01-15T12:00:00Z' },
        { id: 3, customerId: 2, createdAt: '2026-02-28T23:30:00Z' },
      ]);
    });
    afterAll(async () => {
      await boundaryDb?.drop();
    });

    it('counts in the zone\'s months, not UTC\'s', async () => {
      const berlin = await computeWithSteps(boundaryDb, { months: 3, endMonth: '2026-03', timeZone: 'Europe/Berlin' });
      expect(berlin.matrix).toEqual({
        cohorts: [
          { cohort: '2026-01', customers: 1, retention: [1, 0, 1] },
          { cohort: '2026-02', customers: 1, retention: [1, 0] },
        ],
      });
      const utc = await computeWithSteps(boundaryDb, { months: 3, endMonth: '2026-03', timeZone: 'UTC' });
      expect(utc.matrix).toEqual({ cohorts: [{ cohort: '2026-01', customers: 2, retention: [1, 0.5, 0] }] });
      // The same answer as the reference, which reads the zone with Intl directly.
      expect(berlin.matrix).toEqual(expectedMatrix(
        [{ id: 1, customerId: 1, createdAt: '2026-01-31T23:30:00Z' }, { id: 2, customerId: 2, createdAt: '2026-01-15T12:00:00Z' }, { id: 3, customerId: 2, createdAt: '2026-02-28T23:30:00Z' }],
        { months: 3, endMonth: '2026-03', timeZone: 'Europe/Berlin' },
      ));
    });
  });

  describe('through the engine', () => {
    let registry: PipelineRegistry;
    const posted: SlackMessageInput[] = [];
    const slack: SlackClient = {
      async send(message) {
        posted.push(message);
      },
    };
    const workers = makeWorkerFactory();
    const timeZone = 'Europe/Berlin';

    beforeAll(async () => {
      registry = createRegistry();
      registry.register(createCustomerRetentionPipeline(() => ({ ordersPool: testDb.pool, slack, timeZone })));
      await workers.start(testDb, registry);
    });
    afterAll(async () => {
      await workers.stopAll();
    });

    async function run(context: Record<string, unknown>) {
      const { taskId } = await launchTask(testDb, registry, { ...CUSTOMER_RETENTION, context, initiator: 'test' });
      const status = await waitForTaskStatus(testDb, taskId, ['completed', 'failed'], 60_000);
      return { taskId, status };
    }

    it('runs to completion: one child per cohort, the matrix published, readResults returns it, Slack told once', async () => {
      const expected = expectedMatrix(ORDERS, { months: 12, endMonth: END_MONTH, timeZone });
      const { taskId, status } = await run({ months: 12, end_month: END_MONTH });
      expect(status).toBe('completed');

      const task = await getTask(testDb, taskId);
      const children = task?.steps.filter((step) => step.name.startsWith('measure_cohort[')) ?? [];
      expect(children).toHaveLength(expected.cohorts.length);
      expect(await customerRetentionModule.readResults?.(testDb, taskId)).toEqual(expected);

      const view = await readRetentionView(testDb.pool);
      expect(view.kind).toBe('ready');
      if (view.kind !== 'ready') return;
      expect(view.snapshot).toMatchObject({ taskId, throughMonth: END_MONTH, months: 12, matrix: expected });
      expect(view.headline).toMatch(/^Customers acquired in September 2026 came back in their second month at \d+\.\d%, /);

      expect(posted.filter((message) => message.text.includes(taskId))).toHaveLength(1);
      expect(posted.at(-1)).toMatchObject({ channel: '#data-team' });
      expect(posted.at(-1)?.text).toContain(view.headline ?? '');
    });

    it('publishes once per run (a retry keeps the row and its time) and keeps every run as a version', async () => {
      const first = await run({ months: 6, end_month: '2026-09' });
      expect(first.status).toBe('completed');
      const rowsOf = () => testDb.pool.query<{ id: number; task_id: string; published_at: Date }>(
        'SELECT id, task_id, published_at FROM analytics.retention_snapshots WHERE task_id = $1', [first.taskId],
      );
      const before = (await rowsOf()).rows;
      expect(before).toHaveLength(1);

      // A retried publish of the same run, with the same matrix: nothing new.
      const matrix = expectedMatrix(ORDERS, { months: 6, endMonth: '2026-09', timeZone });
      const retried = await publishRetentionMatrix(testDb.pool, { taskId: first.taskId, throughMonth: '2026-09', months: 6, matrix }, async () => undefined);
      expect(retried).toMatchObject({ snapshotId: before[0]?.id, publishedNow: false });
      expect((await rowsOf()).rows).toEqual(before);

      // A stale attempt's publish is refused before it writes.
      await expect(
        publishRetentionMatrix(testDb.pool, { taskId: first.taskId, throughMonth: '2026-09', months: 6, matrix: { cohorts: [] } }, async () => {
          throw new Error('stale attempt');
        }),
      ).rejects.toThrow('stale attempt');
      expect(await customerRetentionModule.readResults?.(testDb, first.taskId)).toEqual(matrix);

      // Both runs are kept; the view shows the newest data (2026-10), though the 2026-09 run published later.
      const { rows } = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM analytics.retention_snapshots');
      expect(rows[0]?.count).toBe(2);
      const view = await readRetentionView(testDb.pool);
      expect(view.kind === 'ready' && view.snapshot.throughMonth).toBe(END_MONTH);
    });

    it('the view\'s query and readResults each read one index entry', async () => {
      // Small tables are scanned whatever the indexes; with scans priced out the plan shows which index serves.
      const client = await testDb.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const plan = async (sql: string, params: unknown[] = []) =>
          (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((row) => row['QUERY PLAN']).join('\n');
        const latest = await plan(LATEST_SNAPSHOT_SQL);
        expect(latest).toContain('Index Scan Backward using retention_snapshots_latest_idx');
        expect(latest).not.toContain('Sort');
        expect(await plan(SNAPSHOT_OF_TASK_SQL, ['00000000-0000-7000-8000-000000000000'])).toContain('retention_snapshots_task_idx');
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });

    it('readResults is null for a run that published nothing', async () => {
      expect(await customerRetentionModule.readResults?.(testDb, '00000000-0000-7000-8000-000000000000')).toBeNull();
    });

    it('maps 13 cohorts to 13 children', async () => {
      const expected = expectedMatrix(ORDERS, { months: 13, endMonth: END_MONTH, timeZone });
      // The fixture acquires customers in every month, so 13 months give 13 cohorts.
      expect(expected.cohorts).toHaveLength(13);
      const { taskId, status } = await run({ months: 13, end_month: END_MONTH });
      expect(status).toBe('completed');
      const task = await getTask(testDb, taskId);
      expect(task?.steps.filter((step) => step.name.startsWith('measure_cohort['))).toHaveLength(13);
      expect(await customerRetentionModule.readResults?.(testDb, taskId)).toEqual(expected);
    });

    it('launchTask refuses bad input naming each field, and starts nothing', async () => {
      const refusal = (context: Record<string, unknown>) =>
        launchTask(testDb, registry, { ...CUSTOMER_RETENTION, context, initiator: 'test' }).then(
          () => null,
          (error: unknown) => error,
        );
      const tasksBefore = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM tasks');
      for (const [context, path] of [[{ months: 0 }, 'months'], [{ months: 37 }, 'months'], [{ end_month: '2026-13' }, 'end_month']] as const) {
        const error = await refusal(context);
        expect(error).toBeInstanceOf(InputValidationError);
        if (!(error instanceof InputValidationError)) continue;
        expect(error.issues.map((issue) => issue.path)).toEqual([path]);
      }
      const tasksAfter = await testDb.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM tasks');
      expect(tasksAfter.rows[0]?.count).toBe(tasksBefore.rows[0]?.count);
    });
  });
});
