/**
 * createWorker: claims ready steps and runs their handlers, up to `concurrency` at a time.
 *
 * Wake-ups come from LISTEN/NOTIFY (a step may be ready, a task was cancelled) with polling as the
 * fallback; an idle worker also sleeps exactly until the next retry is due. Each attempt holds a lease
 * that a heartbeat renews; the heartbeat also notices attempts closed elsewhere (task cancelled, lease
 * declared lost) and aborts their handlers. A handler that ignores its AbortSignal is not waited for:
 * its slot is counted free once the outcome is decided, and its eventual result is discarded.
 * Every loop catches its errors and backs off, so a database restart is survived without unhandled rejections.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { DbHandle } from '@/db/client';
import { DEFAULT_BACKOFF, type BackoffSettings } from './backoff';
import { CANCEL_CHANNEL, READY_CHANNEL } from './channels';
import { claimSteps, nextRetryDueAt, type ClaimedStep } from './claim-steps';
import { completeAttempt } from './complete-attempt';
import {
  PermanentError,
  ResultTooLargeError,
  StepTimeoutError,
  WorkerShutdownError,
  serializeError,
  type SerializedError,
} from './errors';
import { failAttempt, type FailureOutcome } from './fail-attempt';
import { recordWorkerHeartbeat, renewLeases } from './heartbeat';
import { createNotificationListener } from './listener';
import { consoleLogger, describeError, withFields } from './logger';
import { createProgressReporter, type ProgressReporter } from './progress-reporter';
import { recordProgress } from './record-progress';
import { recoverExpiredLeases } from './recover-expired-leases';
import type { PipelineRegistry } from './registry';
import type { JsonValue, Logger, StepContext } from './types';

/** Results above this are refused: bulk data belongs in tables, not in the step row. */
export const MAX_RESULT_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 1_000;

export interface WorkerOptions {
  db: DbHandle;
  registry: PipelineRegistry;
  workerId?: string;
  concurrency: number;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  backoff?: BackoffSettings;
  logger?: Logger;
}

export interface Worker {
  readonly id: string;
  start(): Promise<void>;
  /** Stops claiming, lets in-flight attempts finish for up to graceMs (default 25 s), then releases the rest. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

type Settlement =
  | { kind: 'completed'; result: JsonValue; json: string }
  | { kind: 'failed'; outcome: FailureOutcome; error: SerializedError }
  /** Someone else closed the attempt (cancel, lost lease): there is nothing to record. */
  | { kind: 'abandoned' };

interface InFlight {
  claim: ClaimedStep;
  controller: AbortController;
  settle(settlement: Settlement): void;
  progress: ProgressReporter;
  /** True once this worker is writing the outcome; the heartbeat must then not treat it as closed elsewhere. */
  persisting: boolean;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Connection loss, server shutdown, too many connections, serialization failure or deadlock: worth retrying.
 * Any other SQL error is a bug that a retry would only repeat.
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ['08', '53', '57', '40'].includes(code.slice(0, 2));
}

function toSettlement(stepName: string, value: unknown): Settlement {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    const problem = new PermanentError(`Step ${stepName} returned a value that is not JSON-serializable: ${describeError(error)}`);
    return { kind: 'failed', outcome: 'failed', error: serializeError(problem) };
  }
  json ??= 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_RESULT_BYTES) {
    const problem = new ResultTooLargeError(
      `Step ${stepName} returned ${bytes.toLocaleString('en')} bytes of JSON; a step result may be at most ` +
        `${MAX_RESULT_BYTES.toLocaleString('en')} bytes (1 MB). Write bulk data to a table and return a summary.`,
    );
    return { kind: 'failed', outcome: 'failed', error: serializeError(problem) };
  }
  return { kind: 'completed', result: JSON.parse(json) as JsonValue, json };
}

export function createWorker(options: WorkerOptions): Worker {
  const { db, registry, concurrency, leaseMs, heartbeatMs, pollIntervalMs } = options;
  const id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const logger = withFields(options.logger ?? consoleLogger(), { workerId: id });

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  const inFlight = new Map<number, InFlight>();
  let claiming: Promise<void> | undefined;
  let claimAgain = false;
  let lastRecoveryAt = 0;
  let consecutiveFailures = 0;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let dueTimer: NodeJS.Timeout | undefined;

  const listener = createNotificationListener({
    pool: db.pool,
    channels: [READY_CHANNEL, CANCEL_CHANNEL],
    logger,
    onConnected: () => wake(),
    onNotification: (channel, payload) => {
      if (channel === READY_CHANNEL) wake();
      else if ([...inFlight.values()].some((entry) => entry.claim.taskId === payload)) void heartbeat();
    },
  });

  const pipelineKeys = () => registry.list().map(({ namespace, name, version }) => ({ namespace, name, version }));

  const scheduleWake = (delayMs: number) => {
    if (dueTimer) clearTimeout(dueTimer);
    dueTimer = setTimeout(() => {
      dueTimer = undefined;
      wake();
    }, Math.max(0, delayMs));
  };

  async function claimUntilFull(): Promise<void> {
    do {
      claimAgain = false;
      while (state === 'running') {
        const free = concurrency - inFlight.size;
        if (free <= 0) return;
        if (Date.now() - lastRecoveryAt >= pollIntervalMs) {
          lastRecoveryAt = Date.now();
          const recovered = await recoverExpiredLeases(db.pool, { backoff });
          if (recovered > 0) logger.warn({ recovered }, 'recovered attempts whose lease expired');
        }
        const claimed = await claimSteps(db.pool, { workerId: id, limit: free, leaseMs, pipelines: pipelineKeys() });
        consecutiveFailures = 0;
        for (const claim of claimed) startAttempt(claim);
        if (claimed.length < free) {
          const due = await nextRetryDueAt(db.pool);
          if (due && due.getTime() - Date.now() < pollIntervalMs) scheduleWake(due.getTime() - Date.now() + 5);
          break;
        }
      }
    } while (claimAgain && state === 'running');
  }

  function wake(): void {
    if (state !== 'running') return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = claimUntilFull()
      .catch((error: unknown) => {
        consecutiveFailures += 1;
        const delay = Math.min(pollIntervalMs, 100 * 2 ** Math.min(consecutiveFailures, 8));
        logger.warn({ error: describeError(error), retryInMs: delay }, 'claiming failed');
        scheduleWake(delay);
      })
      .finally(() => {
        claiming = undefined;
        if (claimAgain) wake();
      });
  }

  /** Retries a database write until it succeeds; gives up after a while so a dead database cannot pin the slot forever. */
  async function persistently(what: string, write: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    for (let failures = 0; ; failures += 1) {
      try {
        await write();
        return;
      } catch (error) {
        const limitMs = state === 'running' ? Math.max(2 * leaseMs, 60_000) : 10_000;
        if (!isTransient(error) || Date.now() - started > limitMs) {
          logger.error({ error: describeError(error) }, `giving up on recording ${what}; lease recovery will retry the step`);
          return;
        }
        logger.warn({ error: describeError(error) }, `could not record ${what}; retrying`);
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  function startAttempt(claim: ClaimedStep): void {
    const controller = new AbortController();
    let settle: (settlement: Settlement) => void = () => undefined;
    const settled = new Promise<Settlement>((resolve) => {
      settle = resolve;
    });
    const attemptLogger = withFields(logger, { taskId: claim.taskId, step: claim.stepName, attempt: claim.attemptNumber });
    const entry: InFlight = {
      claim,
      controller,
      settle: (settlement) => settle(settlement),
      persisting: false,
      progress: createProgressReporter(
        (message, percent) => recordProgress(db.pool, { attemptId: claim.attemptId, taskId: claim.taskId, message, percent }),
        { intervalMs: PROGRESS_INTERVAL_MS, logger: attemptLogger },
      ),
      done: Promise.resolve(),
    };
    inFlight.set(claim.attemptId, entry);
    entry.done = runAttempt(entry, settled, attemptLogger)
      .catch((error: unknown) => attemptLogger.error({ error: describeError(error) }, 'attempt bookkeeping failed'))
      .finally(() => {
        inFlight.delete(claim.attemptId);
        wake();
      });
  }

  async function runAttempt(entry: InFlight, settled: Promise<Settlement>, attemptLogger: Logger): Promise<void> {
    const { claim, controller } = entry;
    const step = registry.get(claim.namespace, claim.pipelineName, claim.version)?.step(claim.stepName);
    let timeout: NodeJS.Timeout | undefined;
    if (!step) {
      const problem = new PermanentError(`This worker's ${claim.namespace}/${claim.pipelineName}@${claim.version} has no step "${claim.stepName}"`);
      entry.settle({ kind: 'failed', outcome: 'failed', error: serializeError(problem) });
    } else {
      const ctx: StepContext = {
        taskId: claim.taskId,
        stepName: claim.stepName,
        attempt: claim.attemptNumber,
        context: claim.context,
        results: claim.results,
        progress: (message, percent) => entry.progress.report(message, percent),
        signal: controller.signal,
        logger: attemptLogger,
        db,
      };
      if (step.timeoutMs !== null) {
        const timeoutMs = step.timeoutMs;
        timeout = setTimeout(() => {
          const problem = new StepTimeoutError(`Step ${claim.stepName} ran longer than its timeout of ${timeoutMs} ms`);
          entry.settle({ kind: 'failed', outcome: 'timed_out', error: serializeError(problem) });
          controller.abort(problem);
        }, timeoutMs);
      }
      // Promise.resolve().then: a handler that throws synchronously is a failed attempt, not a crashed worker.
      Promise.resolve()
        .then(() => step.handler(ctx))
        .then(
          (value) => entry.settle(toSettlement(claim.stepName, value)),
          (error: unknown) => entry.settle({ kind: 'failed', outcome: 'failed', error: serializeError(error) }),
        );
    }

    const settlement = await settled;
    if (timeout) clearTimeout(timeout);
    if (settlement.kind === 'abandoned') {
      entry.progress.cancel();
      attemptLogger.info({}, 'attempt was closed elsewhere (task cancelled or lease lost); handler abandoned');
      return;
    }
    entry.persisting = true;
    await entry.progress.flush();
    entry.progress.cancel();
    if (settlement.kind === 'completed') {
      await persistently('a completed attempt', () =>
        completeAttempt(db.pool, { attemptId: claim.attemptId, taskId: claim.taskId, result: settlement.result, resultJson: settlement.json }),
      );
    } else {
      if (settlement.outcome !== 'released') {
        attemptLogger.warn({ outcome: settlement.outcome, error: settlement.error.message }, 'attempt failed');
      }
      await persistently('a failed attempt', () =>
        failAttempt(db.pool, { attemptId: claim.attemptId, taskId: claim.taskId, outcome: settlement.outcome, error: settlement.error, backoff }),
      );
    }
  }

  async function heartbeat(): Promise<void> {
    try {
      await recordWorkerHeartbeat(db.pool, { id, concurrency });
      const ids = [...inFlight.keys()];
      const open = await renewLeases(db.pool, { attemptIds: ids, leaseMs });
      for (const attemptId of ids) {
        const entry = inFlight.get(attemptId);
        if (!entry || entry.persisting || open.has(attemptId)) continue;
        entry.settle({ kind: 'abandoned' });
        entry.controller.abort(new Error('The attempt was closed elsewhere: its task was cancelled or its lease was declared lost'));
      }
    } catch (error) {
      logger.warn({ error: describeError(error) }, 'heartbeat failed');
    }
  }

  return {
    id,
    async start() {
      if (state !== 'new') throw new Error(`Worker ${id} was already started`);
      state = 'running';
      await heartbeat();
      listener.start();
      pollTimer = setInterval(wake, pollIntervalMs);
      heartbeatTimer = setInterval(() => void heartbeat(), heartbeatMs);
      logger.info({ concurrency, leaseMs, heartbeatMs, pollIntervalMs }, 'worker started');
      wake();
    },
    async stop(stopOptions = {}) {
      if (state !== 'running') return;
      state = 'stopping';
      const graceMs = stopOptions.graceMs ?? 25_000;
      clearInterval(pollTimer);
      if (dueTimer) clearTimeout(dueTimer);
      await listener.stop();
      await claiming;

      const allDone = () => Promise.allSettled([...inFlight.values()].map((entry) => entry.done));
      if (inFlight.size > 0) {
        let graceTimer: NodeJS.Timeout | undefined;
        await Promise.race([allDone(), new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
        clearTimeout(graceTimer);
      }
      for (const entry of inFlight.values()) {
        if (entry.persisting) continue;
        const problem = new WorkerShutdownError(`Worker ${id} stopped before the attempt finished; the step is released to other workers`);
        entry.settle({ kind: 'failed', outcome: 'released', error: serializeError(problem) });
        entry.controller.abort(problem);
      }
      await allDone();
      clearInterval(heartbeatTimer);
      await recordWorkerHeartbeat(db.pool, { id, concurrency, stopped: true }).catch((error: unknown) =>
        logger.warn({ error: describeError(error) }, 'could not record the worker stop'),
      );
      state = 'stopped';
      logger.info({}, 'worker stopped');
    },
  };
}
