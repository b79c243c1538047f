/**
 * `npm run chaos -- <scenario>`: failure scenarios staged for real on this machine, printing what they measured.
 *
 *   partition [--cut-seconds 60] [--out FILE]
 *     A worker on a second "host" (a network namespace with a veth pair; needs root and iproute2) is cut off from
 *     PostgreSQL mid-step; see scripts/chaos/partition.ts. Production lease settings (WORKER_LEASE_MS 30 s,
 *     WORKER_HEARTBEAT_MS 5 s, WORKER_POLL_MS 2 s). Figures as JSON on stdout and in FILE (default
 *     bench/results/chaos-partition.json).
 *
 *   partition-held-fence [--cut-seconds 60] [--out FILE]
 *     The same cut, landing while the step handler holds its fenced transaction open: measures when the server ends
 *     the silent session (its keepalive probes, db/client.ts), the takeover, and whether a task launched during the
 *     cut runs. Default FILE bench/results/chaos-partition-held-fence.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCleanups } from '../bench/support/cleanup';
import { netnsUnavailableReason } from './chaos/netns';
import { runHeldFenceScenario, runPartitionScenario, type PartitionSettings } from './chaos/partition';

function productionSettings(args: string[], defaultOut: string): { settings: PartitionSettings; out: string } {
  const { values } = parseArgs({ args, options: { 'cut-seconds': { type: 'string', default: '60' }, out: { type: 'string', default: defaultOut } } });
  const cutSeconds = Number(values['cut-seconds']);
  if (!Number.isFinite(cutSeconds) || cutSeconds < 40) throw new Error('--cut-seconds must be a number of at least 40 (the lease is 30 s)');
  const unavailable = netnsUnavailableReason();
  if (unavailable) throw new Error(`cannot stage a partition here: ${unavailable}`);
  const started = Date.now();
  return {
    out: path.resolve(values.out),
    // The defaults of WORKER_LEASE_MS, WORKER_HEARTBEAT_MS and WORKER_POLL_MS.
    settings: {
      cutMs: cutSeconds * 1000,
      leaseMs: 30_000,
      heartbeatMs: 5_000,
      pollMs: 2_000,
      lateWaitMs: 180_000,
      log: (line) => console.error(`[chaos +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
    },
  };
}

function report(out: string, figures: object, verdict: { held: boolean; heldMessage: string; failedMessage: string }) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
  console.error(verdict.held ? `[chaos] held: ${verdict.heldMessage}` : `[chaos] FAILED: ${verdict.failedMessage}; see the figures`);
  if (!verdict.held) process.exitCode = 1;
}

async function partition(args: string[]) {
  const { settings, out } = productionSettings(args, 'bench/results/chaos-partition.json');
  const figures = await runPartitionScenario(settings);
  const fenced = figures.steps.extract?.completions === 1 && figures.steps.compute?.completions === 1 && figures.outputRows.length === 1 &&
    JSON.stringify(figures.resultsAfter) === JSON.stringify(figures.resultsBeforeHeal);
  report(out, figures, {
    held: fenced,
    heldMessage: 'taken over after the lease; the late completion and write were refused; one completion per step, results unchanged',
    failedMessage: 'the late completion or write was not fenced',
  });
}

async function partitionHeldFence(args: string[]) {
  const { settings, out } = productionSettings(args, 'bench/results/chaos-partition-held-fence.json');
  const figures = await runHeldFenceScenario(settings);
  const takenOver = figures.hold?.completions === 1 && figures.hold.attempts[0]?.outcome === 'lost' && figures.outputRows.length === 1;
  const unblocked = figures.cutToSessionEndedMs !== null && figures.cutToOtherTaskCompletedMs !== null;
  report(out, figures, {
    held: takenOver && unblocked,
    heldMessage: 'the silent session ended, the step was taken over and other work ran during the cut',
    failedMessage: 'the step was not taken over during the cut, or other work waited for the heal',
  });
}

const scenarios: Record<string, (args: string[]) => Promise<void>> = { partition, 'partition-held-fence': partitionHeldFence };

// Ctrl-C or SIGTERM mid-scenario: stop the workers and PostgreSQL and delete the namespace before exiting.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runCleanups().finally(() => process.exit(130)));
}

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const scenario = name ? scenarios[name] : undefined;
  if (!scenario) throw new Error(`usage: npm run chaos -- <${Object.keys(scenarios).join('|')}> [options]`);
  await scenario(rest);
}

main().catch((error: unknown) => {
  console.error(`[chaos] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
