/**
 * Runs no worker can run: pinned to a pipeline version that no live worker serves (it was retired while the run was
 * unfinished, or the deployment lost it). Nothing would ever claim their steps, so each is a high-severity alert
 * raised once per run, and resolved by itself once a worker serves the version again or the run ends.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { readUnservedTasks, type Logger } from '@/lib/engine';
import { WORKER_HEARTBEAT_WINDOW_S } from '@/lib/health/readiness';
import { raiseAlert, resolveAlerts, type RoutingOptions } from './alert-store';

export const UNSERVED_VERSION_ALERT = 'task.version_unserved';

const unservedKey = (taskId: string) => `version_unserved:${taskId}`;

export async function watchUnservedVersions(
  pool: pg.Pool,
  options: RoutingOptions & { logger: Logger },
): Promise<{ raised: string[]; resolved: string[] }> {
  const unserved = await readUnservedTasks(pool, { aliveWithinSeconds: WORKER_HEARTBEAT_WINDOW_S });
  const outcome = { raised: [] as string[], resolved: [] as string[] };
  for (const task of unserved) {
    const label = `${task.namespace}/${task.name}@${task.version}`;
    const served = task.servedVersions.length > 0 ? task.servedVersions.join(', ') : 'no version of it';
    const { created } = await withTransaction(pool, (client) =>
      raiseAlert(
        client,
        {
          kind: UNSERVED_VERSION_ALERT,
          dedupKey: unservedKey(task.taskId),
          severity: 'high',
          taskId: task.taskId,
          title: `A run of ${label} cannot progress: no worker serves ${task.version} (workers serve ${served}). Deploy it again or cancel the run.`,
          details: { namespace: task.namespace, taskName: task.name, version: task.version, servedVersions: task.servedVersions },
        },
        options,
      ),
    );
    if (created) {
      outcome.raised.push(task.taskId);
      options.logger.warn({ taskId: task.taskId, version: task.version, servedVersions: task.servedVersions }, UNSERVED_VERSION_ALERT);
    }
  }
  const stillUnserved = new Set(unserved.map((task) => task.taskId));
  const open = await pool.query<{ taskId: string }>(
    `SELECT task_id AS "taskId" FROM alerts WHERE status IN ('open', 'acknowledged') AND kind = $1 AND task_id IS NOT NULL`,
    [UNSERVED_VERSION_ALERT],
  );
  for (const { taskId } of open.rows) {
    if (stillUnserved.has(taskId)) continue;
    const resolved = await withTransaction(pool, (client) =>
      resolveAlerts(client, unservedKey(taskId), 'a worker serves the run\'s version again, or the run ended', options),
    );
    if (resolved.length > 0) outcome.resolved.push(taskId);
  }
  return outcome;
}
