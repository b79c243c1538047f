/**
 * The application's holds on run retention: a run whose snapshot is published or held for review, whose retention
 * matrix is published, that is a day of an active backfill or that has an unresolved alert survives the purge; the
 * same rows in a state that no longer needs the run do not keep it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { purgeHistory } from '@/lib/engine';
import { RUN_HOLDS } from './run-retention';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

const CASES = [
  'published snapshot',
  'held snapshot',
  'discarded snapshot',
  'retention matrix',
  'active backfill day',
  'finished backfill day',
  'open alert',
  'acknowledged alert',
  'resolved alert',
  'nothing',
] as const;
type Case = (typeof CASES)[number];

describe('RUN_HOLDS', () => {
  it('keep exactly the runs that published data, an active backfill or an unresolved alert still needs', async () => {
    const { rows } = await testDb.pool.query<{ id: string; label: Case }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, started_at, completed_at, updated_at)
       SELECT 'holds', 'probe', '1', 'completed', '{}', label, now() - interval '200 days', now() - interval '200 days',
              now() - interval '200 days', now() - interval '200 days'
         FROM unnest($1::text[]) AS label
       RETURNING id, initiator AS label`,
      [CASES],
    );
    const run = Object.fromEntries(rows.map((row) => [row.label, row.id])) as Record<Case, string>;
    const snapshot = (label: Case, state: string) =>
      testDb.pool.query(
        `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, state) VALUES ($1, '2026-01-01', '2026-01-31', '{}', $2)`,
        [run[label], state],
      );
    await snapshot('published snapshot', 'published');
    await snapshot('held snapshot', 'held');
    await snapshot('discarded snapshot', 'discarded');
    await testDb.pool.query(
      `INSERT INTO analytics.retention_snapshots (task_id, through_month, months, matrix) VALUES ($1, '2026-01', 6, '{}')`,
      [run['retention matrix']],
    );
    const backfill = async (label: Case, status: string, start: string) => {
      const { rows: [created] = [] } = await testDb.pool.query<{ id: string }>(
        `INSERT INTO backfills (namespace, pipeline_name, start_date, end_date, max_parallel, reason, requested_by, origin, status)
         VALUES ('holds', 'probe', $1, $1, 1, 'test', 'test', 'operator', $2) RETURNING id`,
        [start, status],
      );
      await testDb.pool.query(
        `INSERT INTO backfill_days (backfill_id, day, window_start, window_end, state, task_id) VALUES ($1, $2, $2, $2, 'launched', $3)`,
        [created?.id, start, run[label]],
      );
    };
    await backfill('active backfill day', 'active', '2026-01-01');
    await backfill('finished backfill day', 'finished', '2026-01-02');
    const alert = (label: Case, status: string) =>
      testDb.pool.query(
        `INSERT INTO alerts (kind, dedup_key, severity, title, task_id, status) VALUES ('step_failed', $1, 'high', 'probe', $2, $3)`,
        [`probe:${label}`, run[label], status],
      );
    await alert('open alert', 'open');
    await alert('acknowledged alert', 'acknowledged');
    await alert('resolved alert', 'resolved');

    const purged = await purgeHistory(testDb.pool, { retentionDays: 365, runRetentionDays: 100, runHolds: RUN_HOLDS });

    const { rows: left } = await testDb.pool.query<{ label: string }>(`SELECT initiator AS label FROM tasks ORDER BY initiator`);
    expect(left.map((row) => row.label)).toEqual(
      ['acknowledged alert', 'active backfill day', 'held snapshot', 'open alert', 'published snapshot', 'retention matrix'],
    );
    expect(purged.runs).toBe(4);
    // The finished backfill keeps its day, without the run; the resolved alert went with its run.
    const { rows: days } = await testDb.pool.query(`SELECT day::text, task_id FROM backfill_days WHERE day = '2026-01-02'`);
    expect(days).toEqual([{ day: '2026-01-02', task_id: null }]);
    const { rows: alerts } = await testDb.pool.query(`SELECT dedup_key FROM alerts ORDER BY dedup_key`);
    expect(alerts.map((row) => row.dedup_key)).toEqual(['probe:acknowledged alert', 'probe:open alert']);
  });
});
