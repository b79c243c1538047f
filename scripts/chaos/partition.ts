/**
 * The network-partition scenarios, shared by `npm run chaos -- partition | partition-held-fence` (a 60 s cut with
 * the default lease settings) and scripts/chaos/partition.test.ts (short cuts, short leases). docs/CHAOS.md has the
 * figures. runPartitionScenario:
 *
 * 1. A worker runs on a second "host" — a network namespace joined by a veth pair (./netns.ts) — against an
 *    embedded PostgreSQL that listens on the host end of the pair. It claims `extract` and `compute` of a
 *    `partitioned` task (lib/engine/test-fixtures/pipelines.ts), whose first attempts work until released.
 * 2. A second worker starts on this host. The namespace's link is taken down for `cutMs`.
 * 3. The cut-off worker can no longer renew its leases; once they expire the second worker records the attempts
 *    as lost, takes both steps over and completes the run.
 * 4. Shortly before the link comes back, `compute`'s first attempt is released: its completion is pending when the
 *    partition heals. Right after the heal, `extract`'s first attempt is released: it writes through the fence.
 * 5. The cut-off worker's late completion and late write must both be refused (the attempt is no longer the step's
 *    current attempt), leaving exactly one completion per step and the run's results as they were.
 *
 * runHeldFenceScenario: the cut lands while the handler holds its fenced transaction open (see its comment).
 * Each returns its figures, and throws with the workers' output when a stage does not happen in time.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, type DbHandle } from '@/db/client';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '@/db/embedded';
import { runMigrations } from '@/db/migrate';
import { getTask, launchTask, listTaskEvents, type TaskDetail } from '@/lib/engine';
import { createChildWorkers, type ChildWorker } from '@/lib/engine/test-fixtures/child-workers';
import { buildTestRegistry } from '@/lib/engine/test-fixtures/pipelines';
import { onInterrupt } from '@/bench/support/cleanup';
import { sleep, waitFor } from '@/tests/setup/wait';
import { createNetworkNamespace, type NetworkNamespace } from './netns';

export interface PartitionSettings {
  /** How long the namespace's link stays down; must outlast the lease, or nothing is taken over. */
  cutMs: number;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  /** How long after the heal to wait for the cut-off worker's late completion and write. */
  lateWaitMs: number;
  log?: (line: string) => void;
}

export interface StepOutcome {
  attempts: { number: number; worker: string; outcome: string | null; errorClass: string | null }[];
  completions: number;
  /** From the attempt's last renewed lease expiry to the other worker's claim (database clock); null: not taken over. */
  leaseExpiryToTakeoverMs: number | null;
  /** From the cut to the expiry of the cut-off attempt's last renewed lease. */
  cutToLeaseExpiryMs: number | null;
  /** From the cut to the other worker's claim. */
  cutToTakeoverMs: number | null;
}

export interface PartitionFigures {
  settings: Omit<PartitionSettings, 'log'>;
  steps: Record<'extract' | 'compute' | 'report', StepOutcome | undefined>;
  /** From the cut to the run's completion on the other worker. */
  cutToRunCompletedMs: number;
  /** From the heal to the log line of the cut-off worker saying its late completion was fenced off. */
  healToRefusedCompletionMs: number;
  /** From the heal to the log line saying its late write through assertCurrentAttempt was refused. */
  healToRefusedWriteMs: number;
  /** Output rows written for the run (only the surviving attempt's may exist). */
  outputRows: { attempt: number }[];
  /** The results of every step and of the run, before the heal and once the late completion was refused. */
  resultsBeforeHeal: Record<string, unknown>;
  resultsAfter: Record<string, unknown>;
  stepCompletedEvents: Record<string, number>;
  runStatus: string;
}

const FENCED_COMPLETION = 'the attempt was fenced off';
const FENCED_WRITE = "the fence refused this attempt's write";


/** waitFor, with what the workers printed in the error when the wait times out. */
function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  return waitFor(what, probe, timeoutMs).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}.\n${context()}`);
  });
}

const resultsOf = (task: TaskDetail) => ({
  ...Object.fromEntries(task.steps.map((step) => [step.name, step.result])),
  run: task.status,
});

function outcomeOf(task: TaskDetail, name: string, cutAt: number): StepOutcome | undefined {
  const step = task.steps.find((candidate) => candidate.name === name);
  if (!step) return undefined;
  const [first, second] = step.attempts;
  return {
    attempts: step.attempts.map((attempt) => ({ number: attempt.attemptNumber, worker: attempt.workerId, outcome: attempt.outcome, errorClass: attempt.errorClass })),
    completions: step.attempts.filter((attempt) => attempt.outcome === 'completed').length,
    leaseExpiryToTakeoverMs: first && second ? second.startedAt.getTime() - first.leaseExpiresAt.getTime() : null,
    cutToLeaseExpiryMs: first && second ? first.leaseExpiresAt.getTime() - cutAt : null,
    cutToTakeoverMs: second ? second.startedAt.getTime() - cutAt : null,
  };
}

/** What both scenarios share: the namespace, a PostgreSQL reachable from it, the workers, and their clean-up. */
interface Lab {
  namespace: NetworkNamespace;
  db: DbHandle;
  releaseDir: string;
  release(step: string): void;
  /** Starts the worker that will be cut off, inside the namespace. */
  startCutOff(): Promise<ChildWorker>;
  startSurvivor(): Promise<ChildWorker>;
  outputs(): string;
}

async function withLab<T>(settings: PartitionSettings, run: (lab: Lab) => Promise<T>): Promise<T> {
  const log = settings.log ?? (() => undefined);
  if (settings.cutMs <= settings.leaseMs + 2 * settings.pollMs) {
    throw new Error(`The cut (${settings.cutMs} ms) must outlast the lease (${settings.leaseMs} ms) and the recovery poll, or no worker takes over.`);
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nightshift-partition-'));
  const releaseDir = path.join(scratch, 'release');
  mkdirSync(releaseDir);
  const children = createChildWorkers();
  const started: ChildWorker[] = [];
  let namespace: NetworkNamespace | undefined;
  let server: EmbeddedPostgres | undefined;
  let db: DbHandle | undefined;
  let cleaned: Promise<void> | undefined;
  // Runs once, whether the scenario ends, fails or is interrupted (the CLI's signal handler calls runCleanups()).
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await children.killAll();
      await db?.close();
      await server?.stop();
      namespace?.remove();
      rmSync(scratch, { recursive: true, force: true });
    })());
  const forget = onInterrupt(cleanUp);
  try {
    namespace = createNetworkNamespace();
    log(`namespace ${namespace.name}: host end ${namespace.hostAddress}, namespace end ${namespace.namespaceAddress}`);
    // The postgres OS user must reach the cluster folder; mkdtemp makes it 0700.
    const dataDir = path.join(scratch, 'pg-data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(scratch, 0o755);
    server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      durable: false,
      extraListen: { addresses: [namespace.hostAddress], clientNetworks: [namespace.network] },
    });
    await runMigrations(server.url);
    db = createPool(server.url, { max: 4, applicationName: 'nightshift-chaos' });
    await db.pool.query('CREATE TABLE partition_output (task_id uuid NOT NULL, attempt_id bigint NOT NULL, attempt int NOT NULL)');
    const fromNamespace = new URL(server.url);
    fromNamespace.hostname = namespace.hostAddress;
    const hostUrl = server.url;
    const inNamespace = namespace;
    const workerEnv = {
      TEST_CONCURRENCY: '2',
      TEST_LEASE_MS: String(settings.leaseMs),
      TEST_HEARTBEAT_MS: String(settings.heartbeatMs),
      TEST_POLL_MS: String(settings.pollMs),
      TEST_VERBOSE: '1',
    };
    const startWorker = async (id: string, url: string, wrap?: NetworkNamespace['exec']) => {
      const worker = children.spawn(url, id, workerEnv, wrap);
      started.push(worker);
      await worker.ready;
      log(`${id} worker running ${wrap ? 'in the namespace' : 'on this host'}`);
      return worker;
    };
    return await run({
      namespace: inNamespace,
      db,
      releaseDir,
      release: (step) => writeFileSync(path.join(releaseDir, step), ''),
      startCutOff: () => startWorker('cut-off', fromNamespace.toString(), inNamespace.exec),
      startSurvivor: () => startWorker('survivor', hostUrl),
      outputs: () => started.map((worker) => `--- ${worker.id} worker output ---\n${worker.output()}`).join('\n'),
    });
  } finally {
    forget();
    await cleanUp();
  }
}

const taskReader = (db: DbHandle, taskId: string) => () =>
  getTask(db, taskId).then((found) => found ?? Promise.reject(new Error(`task ${taskId} vanished`)));

export async function runPartitionScenario(settings: PartitionSettings): Promise<PartitionFigures> {
  const log = settings.log ?? (() => undefined);
  return withLab(settings, async (lab) => {
    const cutOff = await lab.startCutOff();
    const { taskId } = await launchTask(lab.db, buildTestRegistry(), { namespace: 'test', name: 'partitioned', context: { releaseDir: lab.releaseDir }, initiator: 'chaos' });
    const task = taskReader(lab.db, taskId);
    await until(
      'the cut-off worker to run extract and compute',
      async () => {
        const current = await task();
        const running = current.steps.filter((step) => ['extract', 'compute'].includes(step.name) && step.status === 'running' && step.attempts.at(-1)?.workerId === 'cut-off');
        return running.length === 2 ? true : undefined;
      },
      20_000,
      lab.outputs,
    );
    await lab.startSurvivor();

    const cutAt = Date.now();
    lab.namespace.cut();
    log(`link cut for ${settings.cutMs / 1000} s`);
    const completed = await until(
      'the survivor to take both steps over and complete the run',
      async () => {
        const current = await task();
        return current.status === 'completed' ? current : undefined;
      },
      settings.cutMs - 1_500,
      lab.outputs,
    );
    const cutToRunCompletedMs = Date.now() - cutAt;
    log(`run completed by the survivor ${(cutToRunCompletedMs / 1000).toFixed(1)} s after the cut`);
    const resultsBeforeHeal = resultsOf(completed);

    // compute's late result is ready before the heal, so its completion is what reaches PostgreSQL first.
    await sleep(Math.max(0, cutAt + settings.cutMs - 1_000 - Date.now()));
    lab.release('compute');
    await sleep(Math.max(0, cutAt + settings.cutMs - Date.now()));
    lab.namespace.heal();
    const healedAt = Date.now();
    lab.release('extract');
    log(`link back after ${((healedAt - cutAt) / 1000).toFixed(1)} s`);

    const lineAfterHeal = (needle: string) => async () => cutOff.lines().find((line) => line.at >= healedAt && line.text.includes(needle))?.at;
    const refusedCompletionAt = await until('the late completion to be refused', lineAfterHeal(FENCED_COMPLETION), settings.lateWaitMs, lab.outputs);
    const refusedWriteAt = await until('the late write to be refused', lineAfterHeal(FENCED_WRITE), settings.lateWaitMs, lab.outputs);
    log(`late completion refused ${((refusedCompletionAt - healedAt) / 1000).toFixed(1)} s after the heal, late write ${((refusedWriteAt - healedAt) / 1000).toFixed(1)} s after`);
    // Let the cut-off worker record whatever else it was going to (its voided failure of extract).
    await sleep(Math.max(1_000, 2 * settings.heartbeatMs));

    const final = await task();
    return {
      settings: { cutMs: settings.cutMs, leaseMs: settings.leaseMs, heartbeatMs: settings.heartbeatMs, pollMs: settings.pollMs, lateWaitMs: settings.lateWaitMs },
      steps: { extract: outcomeOf(final, 'extract', cutAt), compute: outcomeOf(final, 'compute', cutAt), report: outcomeOf(final, 'report', cutAt) },
      cutToRunCompletedMs,
      healToRefusedCompletionMs: refusedCompletionAt - healedAt,
      healToRefusedWriteMs: refusedWriteAt - healedAt,
      outputRows: await outputRowsOf(lab.db, taskId),
      resultsBeforeHeal,
      resultsAfter: resultsOf(final),
      stepCompletedEvents: await completionEventsOf(lab.db, taskId),
      runStatus: final.status,
    };
  });
}

async function outputRowsOf(db: DbHandle, taskId: string): Promise<{ attempt: number }[]> {
  const output = await db.pool.query<{ attempt: number }>('SELECT attempt FROM partition_output WHERE task_id = $1 ORDER BY attempt', [taskId]);
  return output.rows;
}

async function completionEventsOf(db: DbHandle, taskId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const event of await listTaskEvents(db, taskId)) {
    if (event.name === 'step.completed' && event.stepName) counts[event.stepName] = (counts[event.stepName] ?? 0) + 1;
  }
  return counts;
}

export interface HeldFenceFigures {
  settings: Omit<PartitionSettings, 'log'>;
  hold: StepOutcome | undefined;
  /** From the cut to the end of the cut-off worker's server session, which held the fence's lock (null: it outlived the cut). */
  cutToSessionEndedMs: number | null;
  cutToOtherTaskLaunchedMs: number | null;
  /** From the cut to the completion of a task launched once the lease expired (null: not before the heal). */
  cutToOtherTaskCompletedMs: number | null;
  outputRows: { attempt: number }[];
  stepCompletedEvents: Record<string, number>;
  runStatus: string;
}

/**
 * The cut lands while the handler holds its fenced transaction open, so the step row stays share-locked by a
 * session whose client can no longer answer. Until the server ends that session, lease recovery (which locks the
 * row to close the attempt) waits — and with it the recovering worker's claims, for this task and any other.
 * Measures when the session ends, when the step is taken over, and whether a task launched during the cut runs.
 */
export async function runHeldFenceScenario(settings: PartitionSettings): Promise<HeldFenceFigures> {
  const log = settings.log ?? (() => undefined);
  return withLab(settings, async (lab) => {
    await lab.startCutOff();
    const registry = buildTestRegistry();
    const { taskId } = await launchTask(lab.db, registry, { namespace: 'test', name: 'partitioned_in_transaction', context: { releaseDir: lab.releaseDir }, initiator: 'chaos' });
    const task = taskReader(lab.db, taskId);
    const fenceHolder = await until(
      'the cut-off worker to hold its fenced transaction',
      async () => {
        const sessions = await lab.db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE client_addr = $1::inet AND state = 'idle in transaction'`,
          [lab.namespace.namespaceAddress],
        );
        return sessions.rows[0]?.pid;
      },
      20_000,
      lab.outputs,
    );
    await lab.startSurvivor();

    const cutAt = Date.now();
    lab.namespace.cut();
    log(`link cut for ${settings.cutMs / 1000} s while the handler holds its fence (session ${fenceHolder})`);
    // Another task is launched once the lease has expired: until the fence holder's session ends, the survivor's
    // recovery of `hold` waits for its lock, and so would every claim behind it.
    const launchOtherAt = cutAt + settings.leaseMs + 2 * settings.pollMs;
    let other: { taskId: string; launchedAt: number } | undefined;
    let sessionEndedAt: number | undefined;
    let otherCompletedAt: number | undefined;
    while (Date.now() < cutAt + settings.cutMs) {
      if (!other && Date.now() >= launchOtherAt) {
        const launched = await launchTask(lab.db, registry, { namespace: 'test', name: 'slow_chain', context: { stepMs: 10 }, initiator: 'chaos' });
        other = { taskId: launched.taskId, launchedAt: Date.now() };
        log('launched another task');
      }
      const alive = await lab.db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [fenceHolder]);
      if (alive.rowCount === 0 && sessionEndedAt === undefined) {
        sessionEndedAt = Date.now();
        log(`the fence holder's session ended ${((sessionEndedAt - cutAt) / 1000).toFixed(1)} s after the cut`);
      }
      if (other && otherCompletedAt === undefined && (await getTask(lab.db, other.taskId))?.status === 'completed') otherCompletedAt = Date.now();
      await sleep(100);
    }
    lab.namespace.heal();
    lab.release('hold');
    log(`link back${sessionEndedAt ? '' : "; the fence holder's session outlived the cut"}`);
    const final = await until('the run to complete', async () => {
      const current = await task();
      return current.status === 'completed' ? current : undefined;
    }, settings.lateWaitMs, lab.outputs);
    // Let the cut-off worker record whatever it was going to after the heal.
    await sleep(Math.max(1_000, 2 * settings.heartbeatMs));
    return {
      settings: { cutMs: settings.cutMs, leaseMs: settings.leaseMs, heartbeatMs: settings.heartbeatMs, pollMs: settings.pollMs, lateWaitMs: settings.lateWaitMs },
      hold: outcomeOf(await task(), 'hold', cutAt),
      cutToSessionEndedMs: sessionEndedAt ? sessionEndedAt - cutAt : null,
      cutToOtherTaskLaunchedMs: other ? other.launchedAt - cutAt : null,
      cutToOtherTaskCompletedMs: otherCompletedAt ? otherCompletedAt - cutAt : null,
      outputRows: await outputRowsOf(lab.db, taskId),
      stepCompletedEvents: await completionEventsOf(lab.db, taskId),
      runStatus: final.status,
    };
  });
}
