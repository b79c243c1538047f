/**
 * Deadlines of scheduled runs. A schedule with `deadline_local_time` gives each firing a
 * deadline: the first time after the firing that the schedule's zone shows that clock time (01:00 firing,
 * 07:00 deadline → 07:00 the same morning). Runs launched by hand have no deadline.
 *
 * getDeadlineForTask(db, taskId, { now? }) returns (null when the task has no deadline):
 *   { taskId, deadlineAt: Date, scheduleName, timeZone, localTime: 'HH:MM', scheduledFor: Date,
 *     state: 'met' | 'on_track' | 'at_risk' | 'missed', finishedAt: Date | null }
 *
 * watchDeadlines(…) is the scheduler's check: for each unfinished run with a deadline, `task.deadline_missed`
 * once the deadline has passed, else `task.deadline_at_risk` once the ETA (eta.ts) passes the deadline. Both
 * are high-severity alerts in this module's own alerts table (not engine events), raised once per run: the
 * firing row is marked in the same transaction, so concurrent schedulers cannot both raise them.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { readTaskFacts, readTasksFacts, type Logger } from '@/lib/engine';
import { raiseAlert, type RoutingOptions } from '@/lib/monitoring/alert-store';
import { deadlineKey } from '@/lib/monitoring/monitor';
import { getTaskEta } from './eta';
import { cachedDateFormat } from '@/lib/time/format';

export interface TaskDeadline {
  taskId: string;
  deadlineAt: Date;
  scheduleName: string;
  timeZone: string;
  localTime: string;
  scheduledFor: Date;
  state: 'met' | 'on_track' | 'at_risk' | 'missed';
  finishedAt: Date | null;
}

export async function getDeadlineForTask(db: { pool: pg.Pool }, taskId: string, options: { now?: Date } = {}): Promise<TaskDeadline | null> {
  const now = options.now ?? new Date();
  const { rows } = await db.pool.query<{
    deadlineAt: Date; scheduleName: string; timeZone: string; localTime: string; scheduledFor: Date; atRisk: boolean;
  }>(
    `SELECT f.deadline_at AS "deadlineAt", s.name AS "scheduleName", s.time_zone AS "timeZone", s.deadline_local_time AS "localTime",
            f.scheduled_for AS "scheduledFor", f.at_risk_alerted_at IS NOT NULL AS "atRisk"
       FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id
      WHERE f.task_id = $1 AND f.deadline_at IS NOT NULL
      ORDER BY f.scheduled_for DESC LIMIT 1`,
    [taskId],
  );
  const row = rows[0];
  if (!row) return null;
  const task = await readTaskFacts(db.pool, taskId);
  if (!task) return null;
  const finishedAt = task.status === 'completed' ? task.completedAt : null;
  const state: TaskDeadline['state'] = finishedAt
    ? finishedAt.getTime() <= row.deadlineAt.getTime() ? 'met' : 'missed'
    : now.getTime() >= row.deadlineAt.getTime() ? 'missed' : row.atRisk ? 'at_risk' : 'on_track';
  return {
    taskId,
    deadlineAt: row.deadlineAt,
    scheduleName: row.scheduleName,
    timeZone: row.timeZone,
    localTime: row.localTime ?? '',
    scheduledFor: row.scheduledFor,
    state,
    finishedAt,
  };
}

interface WatchedRun {
  firingId: number;
  taskId: string;
  deadlineAt: Date;
  atRiskAlerted: boolean;
  namespace: string;
  taskName: string;
  scheduleName: string;
  timeZone: string;
}

/** Runs older than this past their deadline are no longer watched (a forgotten failed run pages once, not forever). */
const WATCH_WINDOW_MS = 2 * 86_400_000;

function localClock(instant: Date, timeZone: string): string {
  return cachedDateFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

export async function watchDeadlines(
  pool: pg.Pool,
  options: RoutingOptions & { now: Date; logger: Logger },
): Promise<{ atRisk: string[]; missed: string[] }> {
  const { now } = options;
  const firings = await pool.query<Omit<WatchedRun, 'namespace' | 'taskName'>>(
    `SELECT f.id AS "firingId", f.task_id AS "taskId", f.deadline_at AS "deadlineAt", f.at_risk_alerted_at IS NOT NULL AS "atRiskAlerted",
            s.name AS "scheduleName", s.time_zone AS "timeZone"
       FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id
      WHERE f.deadline_at IS NOT NULL AND f.missed_alerted_at IS NULL
        AND f.deadline_at > $1::timestamptz - make_interval(secs => $2::float8 / 1000)`,
    [now, WATCH_WINDOW_MS],
  );
  const tasks = new Map((await readTasksFacts(pool, firings.rows.map((firing) => firing.taskId))).map((task) => [task.id, task]));
  const rows: WatchedRun[] = [];
  for (const firing of firings.rows) {
    const task = tasks.get(firing.taskId);
    // A finished run has nothing left to miss; a cancelled one was given up on purpose.
    if (!task || task.status === 'completed' || task.status === 'cancelled') continue;
    rows.push({ ...firing, namespace: task.namespace, taskName: task.name });
  }
  const outcome = { atRisk: [] as string[], missed: [] as string[] };
  for (const run of rows) {
    const deadlineText = `${localClock(run.deadlineAt, run.timeZone)} ${run.timeZone}`;
    const details = { namespace: run.namespace, taskName: run.taskName, schedule: run.scheduleName, deadlineAt: run.deadlineAt.toISOString() };
    if (now.getTime() >= run.deadlineAt.getTime()) {
      const raised = await withTransaction(pool, async (client) => {
        const marked = await client.query(`UPDATE schedule_firings SET missed_alerted_at = $2 WHERE id = $1 AND missed_alerted_at IS NULL`, [run.firingId, now]);
        if (marked.rowCount !== 1) return false;
        await raiseAlert(
          client,
          {
            kind: 'task.deadline_missed',
            dedupKey: deadlineKey('deadline_missed', run.taskId),
            severity: 'high',
            taskId: run.taskId,
            title: `${run.namespace}/${run.taskName} missed its ${deadlineText} deadline and is still unfinished`,
            details,
          },
          options,
        );
        return true;
      });
      if (raised) {
        outcome.missed.push(run.taskId);
        options.logger.warn({ taskId: run.taskId, deadlineAt: run.deadlineAt.toISOString() }, 'task.deadline_missed');
      }
      continue;
    }
    if (run.atRiskAlerted) continue;
    const eta = await getTaskEta({ pool }, run.taskId, { now });
    if (!eta?.etaAt || eta.etaAt.getTime() <= run.deadlineAt.getTime()) continue;
    const etaAt = eta.etaAt;
    const raised = await withTransaction(pool, async (client) => {
      const marked = await client.query(`UPDATE schedule_firings SET at_risk_alerted_at = $2 WHERE id = $1 AND at_risk_alerted_at IS NULL`, [run.firingId, now]);
      if (marked.rowCount !== 1) return false;
      await raiseAlert(
        client,
        {
          kind: 'task.deadline_at_risk',
          dedupKey: deadlineKey('deadline_at_risk', run.taskId),
          severity: 'high',
          taskId: run.taskId,
          title: `${run.namespace}/${run.taskName} may miss its ${deadlineText} deadline: expected to finish at ${localClock(etaAt, run.timeZone)}`,
          details: { ...details, etaAt: etaAt.toISOString(), criticalPath: eta.criticalPath },
        },
        options,
      );
      return true;
    });
    if (raised) {
      outcome.atRisk.push(run.taskId);
      options.logger.warn({ taskId: run.taskId, etaAt: etaAt.toISOString(), deadlineAt: run.deadlineAt.toISOString() }, 'task.deadline_at_risk');
    }
  }
  return outcome;
}
