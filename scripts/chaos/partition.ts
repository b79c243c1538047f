/**
 * The network-partition scenario, shared by `npm run chaos -- partition` (a 60 s cut with production lease
 * settings) and scripts/chaos/partition.test.ts (a short cut with short leases):
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
 * Returns the figures; throws with the cut-off worker's output when a stage does not happen in time.
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.\n${context()}`);
    await sleep(50);
  }
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

export async function runPartitionScenario(settings: PartitionSettings): Promise<PartitionFigures> {
  const log = settings.log ?? (() => undefined);
  if (settings.cutMs <= settings.leaseMs + 2 * settings.pollMs) {
    throw new Error(`The cut (${settings.cutMs} ms) must outlast the lease (${settings.leaseMs} ms) and the recovery poll, or no worker takes over.`);
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nightshift-partition-'));
  const releaseDir = path.join(scratch, 'release');
  mkdirSync(releaseDir);
  const children = createChildWorkers();
  let namespace: NetworkNamespace | undefined;
  let server: EmbeddedPostgres | undefined;
  let db: DbHandle | undefined;
  let cutOff: ChildWorker | undefined;
  const cutOffOutput = () => `--- cut-off worker output ---\n${cutOff?.output() ?? '(not started)'}`;
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

    const workerEnv = {
      TEST_CONCURRENCY: '2',
      TEST_LEASE_MS: String(settings.leaseMs),
      TEST_HEARTBEAT_MS: String(settings.heartbeatMs),
      TEST_POLL_MS: String(settings.pollMs),
      TEST_VERBOSE: '1',
    };
    cutOff = children.spawn(fromNamespace.toString(), 'cut-off', workerEnv, namespace.exec);
    await cutOff.ready;
    log('cut-off worker running in the namespace');

    const handle = db;
    const { taskId } = await launchTask(handle, buildTestRegistry(), { namespace: 'test', name: 'partitioned', context: { releaseDir }, initiator: 'chaos' });
    const task = () => getTask(handle, taskId).then((found) => found ?? Promise.reject(new Error(`task ${taskId} vanished`)));
    await until(
      'the cut-off worker to run extract and compute',
      async () => {
        const current = await task();
        const running = current.steps.filter((step) => ['extract', 'compute'].includes(step.name) && step.status === 'running' && step.attempts.at(-1)?.workerId === 'cut-off');
        return running.length === 2 ? true : undefined;
      },
      20_000,
      cutOffOutput,
    );
    const survivor = children.spawn(server.url, 'survivor', workerEnv);
    await survivor.ready;
    log('survivor worker running on this host');

    const cutAt = Date.now();
    namespace.cut();
    log(`link cut for ${settings.cutMs / 1000} s`);
    const completed = await until(
      'the survivor to take both steps over and complete the run',
      async () => {
        const current = await task();
        return current.status === 'completed' ? current : undefined;
      },
      settings.cutMs - 1_500,
      () => `${cutOffOutput()}\n--- survivor output ---\n${survivor.output()}`,
    );
    const cutToRunCompletedMs = Date.now() - cutAt;
    log(`run completed by the survivor ${(cutToRunCompletedMs / 1000).toFixed(1)} s after the cut`);
    const resultsBeforeHeal = resultsOf(completed);

    // compute's late result is ready before the heal, so its completion is what reaches PostgreSQL first.
    await sleep(Math.max(0, cutAt + settings.cutMs - 1_000 - Date.now()));
    writeFileSync(path.join(releaseDir, 'compute'), '');
    await sleep(Math.max(0, cutAt + settings.cutMs - Date.now()));
    namespace.heal();
    const healedAt = Date.now();
    writeFileSync(path.join(releaseDir, 'extract'), '');
    log(`link back after ${((healedAt - cutAt) / 1000).toFixed(1)} s`);

    const lineAfterHeal = (needle: string) => async () => cutOff?.lines().find((line) => line.at >= healedAt && line.text.includes(needle))?.at;
    const refusedCompletionAt = await until('the late completion to be refused', lineAfterHeal(FENCED_COMPLETION), settings.lateWaitMs, cutOffOutput);
    const refusedWriteAt = await until('the late write to be refused', lineAfterHeal(FENCED_WRITE), settings.lateWaitMs, cutOffOutput);
    log(`late completion refused ${((refusedCompletionAt - healedAt) / 1000).toFixed(1)} s after the heal, late write ${((refusedWriteAt - healedAt) / 1000).toFixed(1)} s after`);
    // Let the cut-off worker record whatever else it was going to (its voided failure of extract).
    await sleep(Math.max(1_000, 2 * settings.heartbeatMs));

    const final = await task();
    const events = await listTaskEvents(handle, taskId);
    const output = await handle.pool.query<{ attempt: number }>('SELECT attempt FROM partition_output WHERE task_id = $1 ORDER BY attempt', [taskId]);
    const stepCompletedEvents: Record<string, number> = {};
    for (const event of events) {
      if (event.name === 'step.completed' && event.stepName) stepCompletedEvents[event.stepName] = (stepCompletedEvents[event.stepName] ?? 0) + 1;
    }
    return {
      settings: { cutMs: settings.cutMs, leaseMs: settings.leaseMs, heartbeatMs: settings.heartbeatMs, pollMs: settings.pollMs, lateWaitMs: settings.lateWaitMs },
      steps: { extract: outcomeOf(final, 'extract', cutAt), compute: outcomeOf(final, 'compute', cutAt), report: outcomeOf(final, 'report', cutAt) },
      cutToRunCompletedMs,
      healToRefusedCompletionMs: refusedCompletionAt - healedAt,
      healToRefusedWriteMs: refusedWriteAt - healedAt,
      outputRows: output.rows,
      resultsBeforeHeal,
      resultsAfter: resultsOf(final),
      stepCompletedEvents,
      runStatus: final.status,
    };
  } finally {
    forget();
    await cleanUp();
  }
}
