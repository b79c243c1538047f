/**
 * Deadlines of scheduled runs. A schedule with `deadline_local_time` gives each firing a
 * deadline: the first time after the firing that the schedule's zone shows that clock time (01:00 firing,
 * 07:00 deadline → 07:00 the same morning). Runs launched by hand have no deadline.
 *
 * getDeadlineForTask(db, taskId, { now? }) returns (null when the task has no deadline):
 *   { taskId, deadlineAt: Date, scheduleName, timeZone, localTime: 'HH:MM', scheduledFor: Date,
 *     state: 'met' | 'on_track' | 'at_risk' | 'missed', finishedAt: Date | null }
 *
 * watchDeadlines(…) is the scheduler's check (its comment has the rules): a Slack warning when the forecast
 * (forecast.ts) says late with ≥ 80% confidence, and one page per firing — when the forecast leaves less than
 * DEADLINE_PAGE_LEAD_MINUTES, or when the deadline is missed.
 */
import type pg from 'pg';
import { withTransaction } from '@/db/transaction';
import { readTaskFacts, readTasksFacts, type Logger } from '@/lib/engine';
import { raiseAlert, type RoutingOptions } from '@/lib/monitoring/alert-store';
import { deadlineKey } from '@/lib/monitoring/monitor';
import { nextFiring } from './cron';
import { forecastTask } from './forecast';
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
  scheduledFor: Date;
  atRiskAlerted: boolean;
  paged: boolean;
  namespace: string;
  taskName: string;
  scheduleName: string;
  timeZone: string;
  cronExpression: string;
}

/** Runs older than this past their deadline are no longer watched (a forgotten failed run pages once, not forever). */
const WATCH_WINDOW_MS = 2 * 86_400_000;
/** DEADLINE_PAGE_LEAD_MINUTES' default: a forecast late run pages once less than this is left before the deadline. */
export const DEFAULT_PAGE_LEAD_MINUTES = 30;

function localClock(instant: Date, timeZone: string): string {
  return cachedDateFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

const percentOf = (share: number | null) => `${Math.round((share ?? 0) * 100)}%`;

export interface DeadlineWatchOptions extends RoutingOptions {
  now: Date;
  logger: Logger;
  /** Minutes before the deadline under which a forecast late run pages (DEADLINE_PAGE_LEAD_MINUTES). */
  pageLeadMinutes?: number;
}

/**
 * The scheduler's deadline check, for each unfinished run with a deadline (raised once each per run, the firing row
 * marked in the alert's own transaction so concurrent schedulers cannot both raise it):
 * - WARN (`task.deadline_at_risk`, high: Slack) while the deadline is ahead, once the forecast (forecast.ts) says
 *   late with ≥ 80% confidence, or that the run will not finish before the schedule's next run starts;
 * - PAGE (critical: PagerDuty and Slack), at most once per firing: `task.deadline_forecast_late` when the forecast
 *   says late and less than `pageLeadMinutes` are left, else `task.deadline_missed` when the deadline passes with
 *   the run unfinished. A run paged before its deadline still gets its `task.deadline_missed`, at high severity (a
 *   Slack note, not a second page). All resolve when the run completes (lib/monitoring/monitor.ts).
 */
export async function watchDeadlines(pool: pg.Pool, options: DeadlineWatchOptions): Promise<{ atRisk: string[]; missed: string[]; paged: string[] }> {
  const { now } = options;
  const leadMs = (options.pageLeadMinutes ?? DEFAULT_PAGE_LEAD_MINUTES) * 60_000;
  const firings = await pool.query<Omit<WatchedRun, 'namespace' | 'taskName'>>(
    `SELECT f.id AS "firingId", f.task_id AS "taskId", f.deadline_at AS "deadlineAt", f.scheduled_for AS "scheduledFor",
            f.at_risk_alerted_at IS NOT NULL AS "atRiskAlerted", f.paged_at IS NOT NULL AS paged,
            s.name AS "scheduleName", s.time_zone AS "timeZone", s.cron_expression AS "cronExpression"
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
  const outcome = { atRisk: [] as string[], missed: [] as string[], paged: [] as string[] };

  /** Sets the firing's markers (only if the first is still unset) and raises the alert, in one transaction. */
  const raiseOnce = (run: WatchedRun, markers: readonly ('at_risk_alerted_at' | 'missed_alerted_at' | 'paged_at')[], alert: Parameters<typeof raiseAlert>[1]) =>
    withTransaction(pool, async (client) => {
      const [first] = markers;
      const marked = await client.query(
        `UPDATE schedule_firings SET ${markers.map((column, index) => `${column} = coalesce(${column}, $${index + 2})`).join(', ')}
          WHERE id = $1 AND ${first} IS NULL`,
        [run.firingId, ...markers.map(() => now)],
      );
      if (marked.rowCount !== 1) return false;
      await raiseAlert(client, alert, options);
      return true;
    });

  for (const run of rows) {
    const deadlineText = `${localClock(run.deadlineAt, run.timeZone)} ${run.timeZone}`;
    const details = { namespace: run.namespace, taskName: run.taskName, schedule: run.scheduleName, deadlineAt: run.deadlineAt.toISOString() };
    if (now.getTime() >= run.deadlineAt.getTime()) {
      const raised = await raiseOnce(run, run.paged ? ['missed_alerted_at'] : ['missed_alerted_at', 'paged_at'], {
        kind: 'task.deadline_missed',
        dedupKey: deadlineKey('deadline_missed', run.taskId),
        // Paged already by the forecast: the miss is a note to the team, not a second page.
        severity: run.paged ? 'high' : 'critical',
        taskId: run.taskId,
        title: `${run.namespace}/${run.taskName} missed its ${deadlineText} deadline and is still unfinished`,
        details,
      });
      if (raised) {
        outcome.missed.push(run.taskId);
        if (!run.paged) outcome.paged.push(run.taskId);
        options.logger.warn({ taskId: run.taskId, deadlineAt: run.deadlineAt.toISOString(), paged: !run.paged }, 'task.deadline_missed');
      }
      continue;
    }
    if (run.atRiskAlerted && run.paged) continue;
    const nextRunAt = nextRunAfter(run);
    const forecast = await forecastTask({ pool }, run.taskId, { now, deadlineAt: run.deadlineAt, nextRunAt });
    if (!forecast?.etaAt || (!forecast.late && !forecast.overrunsNextRun)) continue;
    const etaAt = forecast.etaAt;
    const evidence = `${percentOf(forecast.lateProbability)} of the last ${forecast.historyRuns} runs replayed finish after it`;
    if (!run.atRiskAlerted) {
      const overrun = forecast.overrunsNextRun && nextRunAt
        ? `; it may not finish before the next run starts at ${localClock(nextRunAt, run.timeZone)} (${percentOf(forecast.overrunProbability)} of those runs would not)`
        : '';
      const raised = await raiseOnce(run, ['at_risk_alerted_at'], {
        kind: 'task.deadline_at_risk',
        dedupKey: deadlineKey('deadline_at_risk', run.taskId),
        severity: 'high',
        taskId: run.taskId,
        title: `${run.namespace}/${run.taskName} may miss its ${deadlineText} deadline: expected to finish at ${localClock(etaAt, run.timeZone)} (${evidence})${overrun}`,
        details: { ...details, etaAt: etaAt.toISOString(), lateProbability: forecast.lateProbability, overrunsNextRun: forecast.overrunsNextRun },
      });
      if (raised) {
        outcome.atRisk.push(run.taskId);
        options.logger.warn({ taskId: run.taskId, etaAt: etaAt.toISOString(), deadlineAt: run.deadlineAt.toISOString() }, 'task.deadline_at_risk');
      }
    }
    const leftMs = run.deadlineAt.getTime() - now.getTime();
    if (!run.paged && forecast.late && leftMs < leadMs) {
      const raised = await raiseOnce(run, ['paged_at'], {
        kind: 'task.deadline_forecast_late',
        dedupKey: deadlineKey('deadline_forecast_late', run.taskId),
        severity: 'critical',
        taskId: run.taskId,
        title: `${run.namespace}/${run.taskName} will miss its ${deadlineText} deadline: expected at ${localClock(etaAt, run.timeZone)}, ${Math.ceil(leftMs / 60_000)} min left (${evidence})`,
        details: { ...details, etaAt: etaAt.toISOString(), lateProbability: forecast.lateProbability },
      });
      if (raised) {
        outcome.paged.push(run.taskId);
        options.logger.warn({ taskId: run.taskId, etaAt: etaAt.toISOString(), deadlineAt: run.deadlineAt.toISOString() }, 'task.deadline_forecast_late');
      }
    }
  }
  return outcome;
}

/** When the run's schedule fires next after this run's firing (null when its expression no longer parses). */
function nextRunAfter(run: WatchedRun): Date | null {
  try {
    return nextFiring(run.cronExpression, run.timeZone, run.scheduledFor);
  } catch {
    return null;
  }
}
