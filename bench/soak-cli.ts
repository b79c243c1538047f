/**
 * `npm run soak -- --nights N [--faults realistic|harsh] [--speed X] [--seed S]`: a year of nights (bench/soak.ts).
 * Prints the seed's table and the goals, writes bench/results/soak-<faults>-<nights>.json, and exits
 * non-zero when a goal is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runCleanups } from './support/cleanup';
import { machine } from './support/report';
import { FAULT_LEVELS, runSoak, soakReport } from './soak';

const { values } = parseArgs({
  options: {
    nights: { type: 'string', default: '7' },
    faults: { type: 'string', default: 'realistic' },
    speed: { type: 'string', default: '360' },
    seed: { type: 'string', default: '42' },
  },
  strict: true,
});
const options = z
  .object({
    nights: z.coerce.number().int().min(1).max(400, 'at most 400 nights: the demo data spans 420 days'),
    faults: z.enum(FAULT_LEVELS),
    speed: z.coerce.number().min(1).max(100_000),
    seed: z.coerce.number().int(),
  })
  .parse(values);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runCleanups().finally(() => process.exit(130)));
}

const result = await runSoak(options);
const report = soakReport(result);
console.log(`\n${report.benchmark} — ${result.wallSeconds} s\n`);
for (const row of report.rows) console.log(`  ${row.metric.padEnd(56)} ${row.value}`);
console.log('');
for (const goal of report.goals) console.log(`  ${goal.met ? 'met   ' : 'MISSED'} ${goal.goal}: ${goal.measured}`);
const file = path.join(import.meta.dirname, 'results', `soak-${options.faults}-${options.nights}.json`);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine: machine(), ...report }, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
process.exit(report.goals.every((goal) => goal.met) ? 0 : 1);
