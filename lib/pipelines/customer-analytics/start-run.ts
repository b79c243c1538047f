/**
 * Starting a customer_analytics run the way the seed's `POST /analytics/start` behaves:
 * - a completed snapshot for the same window exists and force_refresh is false → reuse that task;
 * - a run for the same window is pending or running → return it;
 * - otherwise launch a new task.
 * The check and the launch are serialised per window with an advisory lock, so two identical requests at
 * once create one task.
 */
import type { DbHandle } from '@/db/client';
import { withTransaction } from '@/db/transaction';
import { issuesOf } from '@/lib/http/responses';
import { findLatestTask, launchTask, readTasksFacts, type PipelineRegistry } from '@/lib/engine';
import { CUSTOMER_ANALYTICS } from './identity';
import { customerAnalyticsInput, type CustomerAnalyticsInput } from './input';

export type StartOutcome =
  | { kind: 'created'; taskId: string; status: string }
  | { kind: 'reused'; taskId: string; status: string }
  | { kind: 'already_running'; taskId: string; status: string };

export type StartResult =
  | { ok: true; outcome: StartOutcome; window: { start_date: string; end_date: string } }
  | { ok: false; issues: { path: string; message: string }[] };

export async function startCustomerAnalyticsRun(
  db: DbHandle,
  registry: PipelineRegistry,
  body: unknown,
  initiator: string,
): Promise<StartResult> {
  const parsed = customerAnalyticsInput.safeParse(body);
  if (!parsed.success) {
    return { ok: false, issues: issuesOf(parsed.error) };
  }
  const input: CustomerAnalyticsInput = parsed.data;
  const { start_date: start, end_date: end } = input.date_range;

  const outcome = await withTransaction(db.pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('customer_analytics:' || $1 || ':' || $2))`, [start, end]);
    const running = await findLatestTask(client, CUSTOMER_ANALYTICS, {
      statuses: ['pending', 'running'],
      contextContains: { date_range: { start_date: start, end_date: end } },
    });
    if (running) return { kind: 'already_running', taskId: running.id, status: running.status } as const;

    if (!input.force_refresh) {
      const published = await client.query<{ task_id: string }>(
        `SELECT task_id FROM analytics.dashboard_snapshots WHERE window_start = $1 AND window_end = $2 AND state = 'published' ORDER BY published_at DESC`,
        [start, end],
      );
      const completed = new Set(
        (await readTasksFacts(client, published.rows.map((row) => row.task_id))).filter((task) => task.status === 'completed').map((task) => task.id),
      );
      const reusable = published.rows.find((row) => completed.has(row.task_id));
      if (reusable) return { kind: 'reused', taskId: reusable.task_id, status: 'completed' } as const;
    }

    // The lock is held until this transaction ends, after launchTask has committed on its own connection:
    // a concurrent request for the same window then finds this task running.
    const launched = await launchTask(db, registry, {
      ...CUSTOMER_ANALYTICS,
      context: input,
      initiator,
      reason: input.force_refresh ? 'analytics start (force refresh)' : 'analytics start',
    });
    return { kind: 'created', taskId: launched.taskId, status: 'pending' } as const;
  });
  return { ok: true, outcome, window: input.date_range };
}
