/**
 * Benchmark 2 — hand-off latency: a linear chain of no-op steps; for each link, the time from the commit of its
 * predecessor's completion to the start of its own handler.
 *
 * Method: the server runs with track_commit_timestamp = on, so pg_xact_commit_timestamp(xmin) of the predecessor's
 * step_attempts row is the exact commit time of the transaction that completed it (nothing writes that row after
 * completion: lease renewal skips finished attempts). Each handler records its start on the wall clock with
 * sub-millisecond resolution (performance.timeOrigin + performance.now(); its drift from Date.now() is reported).
 * PostgreSQL and the workers share the machine's clock. As a cross-check we also report the gap from the
 * predecessor handler's return (which includes the completion transaction) and from the attempt's finished_at
 * (now() of the completion transaction, i.e. its start).
 *
 * The profile splits each hand-off in three: wake-up (commit → the claim transaction's start, step_attempts.started_at),
 * claim (→ the claim's commit, read from its step.started outbox row), dispatch (→ the handler's start); with
 * pg_stat_statements on the server, the statements' times are reported too. A link claimed along with its
 * predecessor's completion (one transaction, drizzle/0023) has no wake-up and no claim of its own: both count 0.
 */
import { createPool } from '@/db/client';
import { launchTask } from '@/lib/engine';
import { check, percentile, round, type BenchmarkReport } from './support/report';
import { pollUntil, spawnBenchWorker } from './support/processes';
import { statementProfiler } from './support/statements';
import { buildBenchRegistry, CHAIN_PIPELINE, linkName } from './workers/bench-pipelines';

export interface HandoffOptions {
  url: string;
  chainLength: number;
  processes: number;
  concurrency: number;
}

const summary = (samples: number[]) => ({
  p50: round(percentile(samples, 50), 2),
  p95: round(percentile(samples, 95), 2),
  p99: round(percentile(samples, 99), 2),
  max: round(Math.max(...samples), 2),
  mean: round(samples.reduce((sum, value) => sum + value, 0) / samples.length, 2),
});

export async function runHandoffLatency(options: HandoffOptions): Promise<BenchmarkReport> {
  const db = createPool(options.url, { max: 2, applicationName: 'nightshift-bench' });
  const workers = Array.from({ length: options.processes }, (_, index) =>
    spawnBenchWorker('engine-worker', {
      BENCH_DATABASE_URL: options.url,
      BENCH_WORKER_ID: `bench-chain-${index}`,
      BENCH_CONCURRENCY: String(options.concurrency),
      BENCH_CHAIN_LENGTH: String(options.chainLength),
    }),
  );
  try {
    const { rows: [setting] = [] } = await db.pool.query<{ track_commit_timestamp: string }>('SHOW track_commit_timestamp');
    check(setting?.track_commit_timestamp === 'on', 'the hand-off benchmark needs a server with track_commit_timestamp = on');
    await Promise.all(workers.map((worker) => worker.ready));
    const readStatements = await statementProfiler(options.url);
    for (const worker of workers) worker.go();
    const registry = buildBenchRegistry({ chainLength: options.chainLength });
    const { taskId } = await launchTask(db, registry, { ...CHAIN_PIPELINE, context: {}, initiator: 'bench' });
    const status = await pollUntil(
      'the chain to finish',
      async () => {
        const { rows } = await db.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId]);
        const current = rows[0]?.status;
        return current === 'completed' || current === 'failed' || current === 'cancelled' ? current : undefined;
      },
      { intervalMs: 50, timeoutMs: Math.max(60_000, options.chainLength * 1_000) },
    );
    check(status === 'completed', `the chain ended ${status}`);
    const statements = readStatements ? await readStatements() : null;
    const reports = await Promise.all(workers.map((worker) => worker.stop()));
    const executions = reports.flatMap((report) => report.executions);

    const { rows: attempts } = await db.pool.query<{
      stepName: string;
      outcome: string;
      committedAt: number;
      finishedAt: number;
      claimStartedAt: number;
      claimCommittedAt: number;
      claimXid: string;
      completionXid: string;
    }>(
      `SELECT a.step_name AS "stepName", a.outcome,
              extract(epoch FROM pg_xact_commit_timestamp(a.xmin))::float8 * 1000 AS "committedAt",
              extract(epoch FROM a.finished_at)::float8 * 1000 AS "finishedAt",
              extract(epoch FROM a.started_at)::float8 * 1000 AS "claimStartedAt",
              extract(epoch FROM pg_xact_commit_timestamp(e.xmin))::float8 * 1000 AS "claimCommittedAt",
              e.xmin::text AS "claimXid", c.xmin::text AS "completionXid"
         FROM step_attempts a
         JOIN task_events e ON e.task_id = a.task_id AND e.step_name = a.step_name AND e.name = 'step.started'
         JOIN task_events c ON c.task_id = a.task_id AND c.step_name = a.step_name AND c.name = 'step.completed'
        WHERE a.task_id = $1`,
      [taskId],
    );
    const byStep = new Map(attempts.map((attempt) => [attempt.stepName, attempt]));
    const started = new Map(executions.map((execution) => [execution.key.slice(taskId.length + 1), execution]));
    check(executions.length === options.chainLength, `handlers ran ${executions.length} times for ${options.chainLength} links`);
    check(started.size === options.chainLength && executions.every((e) => e.key.startsWith(`${taskId}/`) && e.attempt === 1), 'a link ran more than once, or ran a retry');
    check(attempts.length === options.chainLength && attempts.every((a) => a.outcome === 'completed'), `step_attempts holds ${attempts.length} rows, not ${options.chainLength} completed ones`);

    const fromCommit: number[] = [];
    const fromTransactionStart: number[] = [];
    const fromHandlerReturn: number[] = [];
    const wakeUp: number[] = [];
    const claim: number[] = [];
    const dispatch: number[] = [];
    let claimedAlong = 0;
    for (let index = 1; index < options.chainLength; index += 1) {
      const previous = byStep.get(linkName(index - 1));
      const previousRun = started.get(linkName(index - 1));
      const current = started.get(linkName(index));
      const currentAttempt = byStep.get(linkName(index));
      check(previous !== undefined && previousRun !== undefined && current !== undefined && currentAttempt !== undefined, `link ${index} or its predecessor has no record`);
      if (currentAttempt.claimXid === previous.completionXid) {
        // Claimed along, in the predecessor's completion transaction (drizzle/0023): nothing to wake, no claim of its
        // own; the whole hand-off is the dispatch after that commit.
        claimedAlong += 1;
        wakeUp.push(0);
        claim.push(0);
      } else {
        wakeUp.push(currentAttempt.claimStartedAt - previous.committedAt);
        claim.push(currentAttempt.claimCommittedAt - currentAttempt.claimStartedAt);
      }
      dispatch.push(current.startedAt - currentAttempt.claimCommittedAt);
      check(current.startedAt >= previous.committedAt - 1, `link ${index} started before its predecessor's completion committed`);
      fromCommit.push(current.startedAt - previous.committedAt);
      fromTransactionStart.push(current.startedAt - previous.finishedAt);
      fromHandlerReturn.push(current.startedAt - previousRun.finishedAt);
    }
    const commit = summary(fromCommit);
    const clockSkewMs = round(Math.max(...reports.map((report) => report.clockSkewMs)), 3);
    return {
      benchmark: 'handoff-latency',
      rows: [
        {
          metric: `completion commit → dependent handler start (${options.chainLength}-step chain, ${options.processes} processes × concurrency ${options.concurrency})`,
          value: `p50 ${commit.p50} ms · p95 ${commit.p95} ms · p99 ${commit.p99} ms`,
        },
        { metric: 'cross-check: predecessor handler return → dependent handler start', value: `p50 ${summary(fromHandlerReturn).p50} ms · p95 ${summary(fromHandlerReturn).p95} ms` },
        {
          metric: 'profile (p50): wake-up → claim transaction → dispatch to handler',
          value: `${summary(wakeUp).p50} + ${summary(claim).p50} + ${summary(dispatch).p50} ms (${claimedAlong} of ${fromCommit.length} claimed along with their predecessor's completion)`,
        },
      ],
      goals: [
        { goal: 'hand-off p50 ≤ 3 ms', measured: `${commit.p50} ms`, met: commit.p50 <= 3 },
        { goal: 'hand-off p95 ≤ 10 ms', measured: `${commit.p95} ms`, met: commit.p95 <= 10 },
      ],
      details: {
        ...options,
        url: undefined,
        samples: fromCommit.length,
        fromCommitMs: commit,
        fromCompletionTransactionStartMs: summary(fromTransactionStart),
        fromPredecessorHandlerReturnMs: summary(fromHandlerReturn),
        profileMs: { wakeUp: summary(wakeUp), claimTransaction: summary(claim), dispatch: summary(dispatch) },
        claimedAlong,
        workerClockSkewMs: clockSkewMs,
        statements,
      },
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
    await db.close();
  }
}
