/**
 * `npm run chaos -- <scenario>`: failure scenarios staged for real on this machine, printing what they measured.
 *
 *   partition [--cut-seconds 60] [--out FILE]
 *     A worker on a second "host" (a network namespace with a veth pair; needs root and iproute2) is cut off from
 *     PostgreSQL mid-step; see scripts/chaos/partition.ts. Production lease settings (WORKER_LEASE_MS 30 s,
 *     WORKER_HEARTBEAT_MS 5 s, WORKER_POLL_MS 2 s). Figures as JSON on stdout and in FILE (default
 *     bench/results/chaos-partition.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCleanups } from '../bench/support/cleanup';
import { netnsUnavailableReason } from './chaos/netns';
import { runPartitionScenario } from './chaos/partition';

async function partition(args: string[]) {
  const { values } = parseArgs({ args, options: { 'cut-seconds': { type: 'string', default: '60' }, out: { type: 'string', default: 'bench/results/chaos-partition.json' } } });
  const cutSeconds = Number(values['cut-seconds']);
  if (!Number.isFinite(cutSeconds) || cutSeconds < 40) throw new Error('--cut-seconds must be a number of at least 40 (the lease is 30 s)');
  const unavailable = netnsUnavailableReason();
  if (unavailable) throw new Error(`cannot stage a partition here: ${unavailable}`);
  const started = Date.now();
  const figures = await runPartitionScenario({
    cutMs: cutSeconds * 1000,
    leaseMs: 30_000,
    heartbeatMs: 5_000,
    pollMs: 2_000,
    lateWaitMs: 180_000,
    log: (line) => console.error(`[chaos +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
  });
  const out = path.resolve(values.out);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
  const refused = figures.steps.extract?.completions === 1 && figures.steps.compute?.completions === 1 && figures.outputRows.length === 1 &&
    JSON.stringify(figures.resultsAfter) === JSON.stringify(figures.resultsBeforeHeal);
  console.error(refused ? '[chaos] partition: fenced — one completion per step, results unchanged' : '[chaos] partition: FAILED — see the figures');
  if (!refused) process.exitCode = 1;
}

const scenarios: Record<string, (args: string[]) => Promise<void>> = { partition };

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
