/**
 * The extract volume check compares each extract step's record count with the median of recent comparable runs
 * (same pipeline, same window length, snapshot published); a drop of more than 50% is reported (the dashboard's
 * gate holds the snapshot on it) with a warning insight, and fewer than three earlier runs give no verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@/db/transaction';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { findVolumeDrops, volumeWarningInsight, type VolumeMeasure } from './volume-guard';

/** The measure as a pipeline declares it: extract_* counts, windows compared by their length in days. */
const measure: VolumeMeasure = {
  stepNamePrefix: 'extract_',
  windowSpanOf: (context) => {
    const range = (context as { date_range?: { start_date: string; end_date: string } } | null)?.date_range;
    return range ? (Date.parse(range.end_date) - Date.parse(range.start_date)) / 86_400_000 : null;
  },
};

describe('extract volume guard', () => {
  let testDb: TestDatabase;

  const seedRun = async (options: { day: number; windowDays: number; status: string; counts: Record<string, number>; snapshot?: 'published' | 'held' }) => {
    const start = `2025-03-${String(options.day).padStart(2, '0')}`;
    const end = new Date(Date.parse(`${start}T00:00:00Z`) + (options.windowDays - 1) * 86_400_000).toISOString().slice(0, 10);
    const task = await testDb.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at)
       VALUES ('data_pipeline', 'customer_analytics', '1.0.0', $1, $2, 'seed', $3) RETURNING id`,
      [options.status, JSON.stringify({ date_range: { start_date: start, end_date: end } }), new Date(`${start}T02:00:00Z`)],
    );
    const taskId = task.rows[0]?.id ?? '';
    for (const [position, [name, count]] of Object.entries(options.counts).entries()) {
      await testDb.pool.query(
        `INSERT INTO steps (pipeline, task_created_at, task_id, name, position, retryable, retry_limit, status, result) VALUES ('fixture/history@1', now(), $1, $2, $3, true, 3, 'completed', $4)`,
        [taskId, name, position, JSON.stringify({ total_count: count })],
      );
    }
    if (options.status === 'completed') {
      await testDb.pool.query(
        `INSERT INTO analytics.dashboard_snapshots (task_id, window_start, window_end, summary, state, published_at)
         VALUES ($1, $2, $3, '{}', $4, CASE WHEN $4 = 'published' THEN now() END)`,
        [taskId, start, end, options.snapshot ?? 'published'],
      );
    }
    return taskId;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('flags a drop of more than half against the median of comparable runs, once', async () => {
    await seedRun({ day: 1, windowDays: 1, status: 'completed', counts: { extract_orders: 100, extract_users: 40 } });
    await seedRun({ day: 2, windowDays: 1, status: 'completed', counts: { extract_orders: 120, extract_users: 42 } });
    await seedRun({ day: 3, windowDays: 1, status: 'completed', counts: { extract_orders: 90, extract_users: 38 } });
    // Not comparable: a 7-day window, a failed run, and a run whose snapshot was held for review.
    await seedRun({ day: 4, windowDays: 7, status: 'completed', counts: { extract_orders: 5_000, extract_users: 300 } });
    await seedRun({ day: 5, windowDays: 1, status: 'failed', counts: { extract_orders: 1, extract_users: 1 } });
    await seedRun({ day: 5, windowDays: 1, status: 'completed', counts: { extract_orders: 2, extract_users: 2 }, snapshot: 'held' });
    const current = await seedRun({ day: 6, windowDays: 1, status: 'running', counts: { extract_orders: 45, extract_users: 39 } });

    // Median of 100, 120, 90 is 100; 45 is 55% below. Users (39 vs 40) are fine.
    expect(await findVolumeDrops(testDb.pool, current, measure)).toEqual([
      { step: 'extract_orders', records: 45, median: 100, dropPercent: 55, comparableRuns: 3 },
    ]);

    const insight = await withTransaction(testDb.pool, (client) => volumeWarningInsight(client, current, measure));
    expect(insight?.kind).toBe('volume_drop');
    expect(insight?.sentence).toContain('extract_orders extracted 45 records, 55% below the median of 100');
    // The insight only explains the figures; holding the snapshot and alerting is the gate's (lib/delivery).
    const alerts = await testDb.pool.query(`SELECT 1 FROM alerts WHERE task_id = $1`, [current]);
    expect(alerts.rowCount).toBe(0);
  });

  it('gives no verdict without enough comparable history', async () => {
    const lonely = await seedRun({ day: 20, windowDays: 3, status: 'running', counts: { extract_orders: 1 } });
    await seedRun({ day: 10, windowDays: 3, status: 'completed', counts: { extract_orders: 1_000 } });
    await seedRun({ day: 12, windowDays: 3, status: 'completed', counts: { extract_orders: 1_000 } });
    expect(await findVolumeDrops(testDb.pool, lonely, measure)).toEqual([]);
  });
});
