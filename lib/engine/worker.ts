/**
 * createWorker: claims ready steps and runs their handlers, up to `concurrency` at a time.
 *
 * Wake-ups: a NOTIFY says how many steps became ready (or when a retry becomes due), and the worker claims at
 * most that many, and no more than its free slots; a batch of completions claims the steps it made ready (or, when
 * more is known to be ready, up to the free slots) in its own transaction.
 * Polling is only the fallback for notifications lost while disconnected. Each attempt holds a lease that a
 * heartbeat renews; the heartbeat also notices attempts closed elsewhere (task cancelled, lease declared lost)
 * and aborts their handlers. A handler that ignores its AbortSignal keeps its slot until it settles or
 * `abandonHandlerAfterMs` passes, so the worker never runs more handlers than its concurrency; its outcome is
 * recorded at once (the step retries elsewhere) and its eventual result is discarded by the fence.
 * Every loop catches its errors and backs off, so a database restart is survived without unhandled rejections.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { DbHandle } from '@/db/client';
import { computeBackoffMs, DEFAULT_BACKOFF, type BackoffSettings } from './backoff';
import { CANCEL_CHANNEL, READY_CHANNEL } from './channels';
import { claimSteps, pipelineKey, type ClaimedStep } from './claim-steps';
import { createCompletionBatcher, type ClaimRequest } from './complete-attempt';
import {
  PermanentError,
  ResultTooLargeError,
  StepTimeoutError,
  WorkerShutdownError,
  serializeError,
  type SerializedError,
} from './errors';
import { DEFAULT_ATTEMPT_CAPS, failAttempt, type AttemptCaps, type FailureOutcome } from './fail-attempt';
import { recordWorkerHeartbeat, renewLeases } from './heartbeat';
import { createAnnouncer } from './announcer';
import { createNotificationListener, type NotificationHub } from './listener';
import { consoleLogger, describeError, withFields } from './logger';
import { createAttemptLog, type AttemptLog } from './attempt-log';
import { createProgressReporter, type ProgressReporter } from './progress-reporter';
import { recordProgress } from './record-progress';
import { recoverExpiredLeases } from './recover-expired-leases';
import type { PipelineRegistry } from './registry';
import { invocationOf } from './step-invocation';
import type { JsonValue, Logger, StepContext } from './types';

/** Results above this are refused: bulk data belongs in tables, not in the step row. */
export const MAX_RESULT_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 1_000;

export interface WorkerOptions {
  db: DbHandle;
  /** The process's one LISTEN connection, shared with the dispatcher and live views; default: one of its own. */
  notifications?: NotificationHub;
  registry: PipelineRegistry;
  workerId?: string;
  concurrency: number;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  backoff?: BackoffSettings;
  /** Caps of lost and rate-limited attempts, which do not spend a step's retry budget. */
  attemptCaps?: AttemptCaps;
  /** How long a handler that ignores its abort (timeout, cancel) may keep its slot after its outcome was recorded. Default: leaseMs. */
  abandonHandlerAfterMs?: number;
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
  /** The attempt's own log (attempt-log.ts): ctx.logger's lines, progress messages and the final error. */
  log: AttemptLog;
  /** True once this worker is writing the outcome; the heartbeat must then not treat it as closed elsewhere. */
  persisting: boolean;
  /** Resolves when the handler itself returned or threw (not when a timeout decided the outcome). */
  handlerSettled: Promise<void>;
  handlerRunning: boolean;
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

/** The application database's connection is gone (SQLSTATE class 08, or the server shutting down): infrastructure, not the step. */
function lostTheDatabase(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code))) return true;
  }
  return false;
}

/** Why a handler's failure ended its attempt: a rate limit and a lost database do not spend the retry budget. */
function failureOutcome(error: unknown, serialized: SerializedError): FailureOutcome {
  if (serialized.retryAfterMs !== undefined) return 'rate_limited';
  return lostTheDatabase(error) ? 'lost' : 'failed';
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

  const abandonHandlerAfterMs = options.abandonHandlerAfterMs ?? leaseMs;
  const attemptCaps = options.attemptCaps ?? DEFAULT_ATTEMPT_CAPS;

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  const inFlight = new Map<number, InFlight>();
  /** Slots still running a handler whose outcome is already recorded (timed out or cancelled, ignoring abort). */
  let lingering = 0;
  /** Free slots promised to a claim in flight (a claim call, or a completion batch claiming along): nobody else fills them. */
  let reservedSlots = 0;
  let claiming: Promise<void> | undefined;
  let recovering: Promise<void> | undefined;
  let heartbeating: Promise<void> | undefined;
  /** Steps announced ready that this worker may try to claim; capped by its concurrency. */
  let readyHint = 0;
  /**
   * The backlog is unknown (start, poll, reconnect) or was bigger than the free slots: claim up to the free slots
   * until a claim comes back short, which proves nothing more is ready.
   */
  let probing = false;
  let lastRecoveryAt = 0;
  let consecutiveFailures = 0;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  const dueTimers = new Set<NodeJS.Timeout>();

  const listener = createNotificationListener({
    pool: db.pool,
    hub: options.notifications,
    channels: [READY_CHANNEL, CANCEL_CHANNEL],
    logger,
    onConnected: () => probe(),
    onNotification: (channel, payload) => {
      if (channel === READY_CHANNEL) onReady(payload);
      else if ([...inFlight.values()].some((entry) => entry.claim.taskId === payload)) void heartbeat();
    },
  });

  const announcer = createAnnouncer(db.pool, { logger });
  const reservations = new WeakMap<ClaimRequest, number>();
  const completions = createCompletionBatcher(db.pool, {
    claimAlong: {
      request(batchSize) {
        if (state !== 'running') return undefined;
        const free = Math.max(0, concurrency - busySlots());
        reservedSlots += free;
        // The batch's own slots are free once it commits: their handlers have returned.
        const request: ClaimRequest = { workerId: id, pipelines: pipelineKeys(), leaseMs, limit: free + batchSize, any: probing || readyHint > 0 };
        reservations.set(request, free);
        return request;
      },
      claimed(steps, request, madeReady) {
        for (const claim of steps) {
          startAttempt(claim);
          announcer.taskChanged(claim.taskId);
        }
        release(request);
        // Others hear of what this batch made ready beyond what it took. Only a claim that looked for any ready step
        // says something about the rest: short, nothing more is ready; full, more may be. One that took only what its
        // batch made ready leaves the hints alone (an announcement may have arrived meanwhile).
        announcer.ready(Math.max(0, madeReady - steps.length));
        if (request.any && steps.length < request.limit) {
          readyHint = 0;
          probing = false;
        } else if (request.any) {
          probing = true;
        }
      },
      abandoned(request) {
        release(request);
        // The completions are retried one by one and wake claims themselves; until then assume work may be ready.
        probing = true;
      },
    },
  });
  function release(request: ClaimRequest): void {
    reservedSlots -= reservations.get(request) ?? 0;
    reservations.delete(request);
  }

  const pipelineKeys = () => registry.list().map(({ namespace, name, version }) => ({ namespace, name, version }));
  const busySlots = () => inFlight.size + lingering + reservedSlots;

  const wakeLater = (delayMs: number, count: number) => {
    const timer = setTimeout(() => {
      dueTimers.delete(timer);
      wake(count);
    }, Math.max(0, delayMs));
    dueTimers.add(timer);
  };

  /** READY_CHANNEL payloads: "3" (three steps ready now) or "1@1767225600000" (one ready at that time). */
  function onReady(payload: string): void {
    const match = /^(\d+)(?:@(\d+))?$/.exec(payload);
    if (!match) return probe();
    const count = Number(match[1]);
    const dueAt = match[2] === undefined ? undefined : Number(match[2]);
    if (dueAt !== undefined && dueAt > Date.now()) wakeLater(dueAt - Date.now() + 2, count);
    else wake(count);
  }

  async function claimAnnounced(): Promise<void> {
    while (state === 'running') {
      if (Date.now() - lastRecoveryAt >= pollIntervalMs) {
        lastRecoveryAt = Date.now();
        recoverInBackground();
      }
      const free = concurrency - busySlots();
      const wanted = probing ? free : Math.min(free, readyHint);
      if (wanted <= 0) return;
      reservedSlots += wanted;
      let claimed: ClaimedStep[];
      try {
        claimed = await claimSteps(db.pool, { workerId: id, limit: wanted, leaseMs, pipelines: pipelineKeys() });
      } finally {
        reservedSlots -= wanted;
      }
      consecutiveFailures = 0;
      for (const claim of claimed) {
        startAttempt(claim);
        announcer.taskChanged(claim.taskId);
      }
      // Fewer than asked: nothing more is ready (or other workers took it); wait to be told again.
      // All we asked for while our slots were the limit: more may be ready, so freed slots keep looking.
      if (claimed.length < wanted) {
        readyHint = 0;
        probing = false;
      } else {
        readyHint = Math.max(0, readyHint - claimed.length);
        if (wanted === free) probing = true;
      }
    }
  }

  /**
   * Lease recovery runs beside claiming, never in front of it: recovering a step waits for its row locks, and a
   * host that vanished inside a transaction holds them until the server notices (TCP keepalive, seconds) — claims
   * of other work must not wait that long.
   */
  function recoverInBackground(): void {
    if (recovering) return;
    recovering = recoverExpiredLeases(db.pool, { backoff, caps: attemptCaps })
      .then((recovered) => {
        if (recovered > 0) logger.warn({ recovered }, 'recovered attempts whose lease expired');
      })
      .catch((error: unknown) => logger.warn({ error: describeError(error) }, 'lease recovery failed'))
      .finally(() => {
        recovering = undefined;
      });
  }

  /** Claims up to the free slots until nothing more is found: after start, a poll or a reconnect. */
  function probe(): void {
    probing = true;
    wake(0);
  }

  /** Claims up to `count` more steps, announced ready. */
  function wake(count: number): void {
    if (state !== 'running') return;
    readyHint = Math.min(concurrency, readyHint + count);
    if (claiming) return;
    claiming = claimAnnounced()
      .catch((error: unknown) => {
        consecutiveFailures += 1;
        const delay = computeBackoffMs(consecutiveFailures, { baseMs: 100, capMs: pollIntervalMs });
        logger.warn({ error: describeError(error), retryInMs: delay }, 'claiming failed');
        wakeLater(delay, 0);
        probing = true;
      })
      .finally(() => {
        claiming = undefined;
        if ((readyHint > 0 || probing) && busySlots() < concurrency) wake(0);
      });
  }

  /** Retries a database write until it succeeds; gives up after a while so a dead database cannot pin the slot forever. */
  async function persistently(what: string, write: () => Promise<unknown>): Promise<void> {
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
        await sleep(computeBackoffMs(failures + 1, { baseMs: 100, capMs: 2_000 }));
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
    // Live views refetch the drawer's log when its lines land, like progress.
    const log = createAttemptLog(db.pool, claim.attemptId, { processLogger: attemptLogger, onFlushed: () => announcer.taskChanged(claim.taskId) });
    const entry: InFlight = {
      log,
      claim,
      controller,
      settle: (settlement) => settle(settlement),
      persisting: false,
      progress: createProgressReporter(
        async (message, percent) => {
          if (await recordProgress(db.pool, { attemptId: claim.attemptId, stepId: claim.stepId, message, percent })) announcer.taskChanged(claim.taskId);
        },
        { intervalMs: PROGRESS_INTERVAL_MS, logger: attemptLogger },
      ),
      handlerSettled: Promise.resolve(),
      handlerRunning: false,
      done: Promise.resolve(),
    };
    inFlight.set(claim.attemptId, entry);
    entry.done = runAttempt(entry, settled, attemptLogger)
      .catch((error: unknown) => attemptLogger.error({ error: describeError(error) }, 'attempt bookkeeping failed'))
      .finally(() => {
        inFlight.delete(claim.attemptId);
        void holdSlotUntilHandlerSettles(entry, attemptLogger);
      });
  }

  /**
   * The outcome is recorded, but a handler that ignored its abort may still be running: its slot stays taken until
   * it settles or abandonHandlerAfterMs passes, so this worker never runs more handlers than its concurrency.
   */
  async function holdSlotUntilHandlerSettles(entry: InFlight, attemptLogger: Logger): Promise<void> {
    if (entry.handlerRunning) {
      lingering += 1;
      let limitTimer: NodeJS.Timeout | undefined;
      const settledInTime = await Promise.race([
        entry.handlerSettled.then(() => true),
        new Promise<boolean>((resolve) => (limitTimer = setTimeout(() => resolve(false), abandonHandlerAfterMs))),
      ]);
      clearTimeout(limitTimer);
      lingering -= 1;
      if (!settledInTime) attemptLogger.warn({ abandonHandlerAfterMs }, 'a handler ignored its abort for too long; its slot is freed');
    }
    wake(0);
  }

  async function runAttempt(entry: InFlight, settled: Promise<Settlement>, attemptLogger: Logger): Promise<void> {
    const { claim, controller } = entry;
    const invocation = invocationOf(registry, claim);
    let timeout: NodeJS.Timeout | undefined;
    if (invocation.kind === 'fail') {
      entry.settle({ kind: 'failed', outcome: 'failed', error: serializeError(invocation.error) });
    } else if (invocation.kind === 'complete') {
      entry.settle(toSettlement(claim.stepName, invocation.result));
    } else {
      const ctx: StepContext = {
        taskId: claim.taskId,
        stepName: claim.stepName,
        attempt: claim.attemptNumber,
        attemptId: claim.attemptId,
        context: claim.context,
        results: invocation.results,
        item: invocation.item,
        mapIndex: invocation.mapIndex,
        progress: (message, percent) => {
          entry.log.record('info', message, percent === undefined ? {} : { percent });
          entry.progress.report(message, percent);
        },
        signal: controller.signal,
        logger: entry.log.logger,
        db,
      };
      // The timeout the run pinned at launch, not today's code: a deploy never changes a run in flight.
      if (claim.timeoutMs !== null) {
        const timeoutMs = claim.timeoutMs;
        timeout = setTimeout(() => {
          const problem = new StepTimeoutError(`Step ${claim.stepName} ran longer than its timeout of ${timeoutMs} ms`);
          entry.log.recordError(problem);
          entry.settle({ kind: 'failed', outcome: 'timed_out', error: serializeError(problem) });
          controller.abort(problem);
        }, timeoutMs);
      }
      const { step } = invocation;
      // Promise.resolve().then: a handler that throws synchronously is a failed attempt, not a crashed worker.
      entry.handlerRunning = true;
      entry.handlerSettled = Promise.resolve()
        .then(() => step.handler(ctx))
        .then(
          (value) => entry.settle(toSettlement(claim.stepName, value)),
          (error: unknown) => {
            entry.log.recordError(error);
            const serialized = serializeError(error);
            entry.settle({ kind: 'failed', outcome: failureOutcome(error, serialized), error: serialized });
          },
        )
        .finally(() => {
          entry.handlerRunning = false;
        });
    }

    const settlement = await settled;
    if (timeout) clearTimeout(timeout);
    if (settlement.kind === 'abandoned') {
      entry.progress.cancel();
      await entry.log.close();
      attemptLogger.info({}, 'attempt was closed elsewhere (task cancelled or lease lost); handler abandoned');
      return;
    }
    entry.persisting = true;
    await entry.progress.flush();
    entry.progress.cancel();
    // Before the outcome: once a run's step shows failed, its log already says why.
    await entry.log.close();
    if (settlement.kind === 'completed') {
      await persistently('a completed attempt', async () => {
        const { madeReady, claimedAlong } = await completions.complete({ attemptId: claim.attemptId, resultJson: settlement.json });
        if (madeReady === undefined) {
          attemptLogger.info({}, 'the attempt was fenced off (cancelled, lost or superseded); its result is discarded');
          return;
        }
        announcer.taskChanged(claim.taskId);
        // Claimed along: the batch's transaction already took what this worker had room for and announced the rest.
        if (claimedAlong || madeReady === 0) return;
        // This worker claims what it has room for (this attempt's slot included) at once; others hear of the rest.
        const room = state === 'running' ? Math.max(0, concurrency - busySlots() + 1) : 0;
        announcer.ready(Math.max(0, madeReady - room));
        wake(Math.min(madeReady, room));
      });
    } else {
      if (settlement.outcome !== 'released') {
        attemptLogger.warn({ outcome: settlement.outcome, error: settlement.error.message }, 'attempt failed');
      }
      await persistently('a failed attempt', () =>
        failAttempt(db.pool, {
          attemptId: claim.attemptId,
          budgetAttempts: claim.budgetAttempts,
          outcome: settlement.outcome,
          error: settlement.error,
          backoff,
          caps: attemptCaps,
        }),
      );
    }
  }

  async function heartbeat(): Promise<void> {
    try {
      await recordWorkerHeartbeat(db.pool, { id, concurrency, pipelines: pipelineKeys().map(pipelineKey) });
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
      await recordWorkerHeartbeat(db.pool, { id, concurrency, pipelines: pipelineKeys().map(pipelineKey), starting: true }).catch((error: unknown) =>
        logger.warn({ error: describeError(error) }, 'could not record the worker start; the heartbeat will'),
      );
      listener.start();
      // The fallback for notifications lost while the LISTEN connection was down: probe as if all slots were announced.
      pollTimer = setInterval(probe, pollIntervalMs);
      heartbeatTimer = setInterval(() => {
        heartbeating ??= heartbeat().finally(() => {
          heartbeating = undefined;
        });
      }, heartbeatMs);
      logger.info({ concurrency, leaseMs, heartbeatMs, pollIntervalMs }, 'worker started');
      probe();
    },
    async stop(stopOptions = {}) {
      if (state !== 'running') return;
      state = 'stopping';
      const graceMs = stopOptions.graceMs ?? 25_000;
      clearInterval(pollTimer);
      for (const timer of dueTimers) clearTimeout(timer);
      dueTimers.clear();
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
      // A heartbeat still in flight must land before the stop record, or it would mark the worker alive again.
      await heartbeating;
      await recovering;
      await announcer.stop();
      await recordWorkerHeartbeat(db.pool, { id, concurrency, pipelines: pipelineKeys().map(pipelineKey), stopped: true }).catch((error: unknown) =>
        logger.warn({ error: describeError(error) }, 'could not record the worker stop'),
      );
      state = 'stopped';
      logger.info({}, 'worker stopped');
    },
  };
}
