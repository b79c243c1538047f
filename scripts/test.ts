/**
 * `npm test`: typecheck → lint → vitest → next build → Playwright, streaming each tool's output and stopping at
 * the first failure. The last line printed is always the test totals of vitest + Playwright, `N passed, N failed`
 * (plus `, N skipped` when some were), taken from the tools' JSON reports rather than their human output.
 * A step that fails without a failing test (a type error, a crash) counts as one failure, so a non-zero exit
 * never ends with "0 failed".
 *
 * `--only vitest` (or a comma list of step names) runs a subset; .ci/run uses it for the external-database pass.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const stepNames = ['typecheck', 'lint', 'vitest', 'build', 'playwright'] as const;
type StepName = (typeof stepNames)[number];

interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Step {
  name: StepName;
  command: string[];
  env?: Record<string, string>;
  /** Reads the step's test counts from its JSON report; undefined when the tool wrote none. */
  counts?: () => TestCounts | undefined;
}

interface StepResult {
  name: StepName;
  ok: boolean;
  seconds: number;
  counts?: TestCounts;
}

const vitestReport = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  numTodoTests: z.number(),
});

const playwrightReport = z.object({
  stats: z.object({ expected: z.number(), unexpected: z.number(), flaky: z.number(), skipped: z.number() }),
});

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    console.error(`[test] ${file} does not look like the expected report: ${parsed.error.message}`);
    return undefined;
  }
  return parsed.data;
}

function parseOnly(argv: string[]): StepName[] {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' } }, strict: true });
  if (values.only === undefined) return [...stepNames];
  const requested = z.array(z.enum(stepNames)).safeParse(values.only.split(',').map((name) => name.trim()));
  if (!requested.success) throw new Error(`--only takes a comma list of: ${stepNames.join(', ')}`);
  return requested.data;
}

const bin = (name: string) => path.join(process.cwd(), 'node_modules', '.bin', name);

function buildSteps(reportDir: string): Step[] {
  const vitestJson = path.join(reportDir, 'vitest.json');
  const playwrightJson = path.join(reportDir, 'playwright.json');
  return [
    { name: 'typecheck', command: [bin('tsc'), '--noEmit'] },
    { name: 'lint', command: [bin('eslint'), '.'] },
    {
      name: 'vitest',
      command: [bin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
      counts: () => {
        const report = readJson(vitestJson, vitestReport);
        return (
          report && {
            passed: report.numPassedTests,
            failed: report.numFailedTests,
            skipped: report.numPendingTests + report.numTodoTests,
          }
        );
      },
    },
    { name: 'build', command: [bin('next'), 'build'], env: { NODE_ENV: 'production' } },
    {
      name: 'playwright',
      command: [bin('playwright'), 'test'],
      env: { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson },
      counts: () => {
        const report = readJson(playwrightJson, playwrightReport);
        // A flaky test failed first and then passed on retry: it passed.
        return (
          report && {
            passed: report.stats.expected + report.stats.flaky,
            failed: report.stats.unexpected,
            skipped: report.stats.skipped,
          }
        );
      },
    },
  ];
}

let runningChild: ReturnType<typeof spawn> | undefined;

function run(step: Step): Promise<boolean> {
  return new Promise((resolve) => {
    const [command, ...args] = step.command;
    if (!command) throw new Error(`step ${step.name} has no command`);
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...step.env } });
    runningChild = child;
    child.once('error', (error) => {
      console.error(`[test] could not start ${step.name}: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code) => {
      runningChild = undefined;
      resolve(code === 0);
    });
  });
}

// Ctrl-C reaches the child through the process group; SIGTERM (e.g. from CI) must be passed on explicitly.
process.on('SIGTERM', () => {
  runningChild?.kill('SIGTERM');
  process.exitCode = 143;
});

function formatTotals({ passed, failed, skipped }: TestCounts): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

async function main(): Promise<number> {
  const selected = parseOnly(process.argv.slice(2));
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-test-reports-'));
  const results: StepResult[] = [];
  try {
    for (const step of buildSteps(reportDir).filter(({ name }) => selected.includes(name))) {
      console.log(`\n[test] ── ${step.name}: ${step.command.map((part) => path.basename(part)).join(' ')}`);
      const started = performance.now();
      const ok = await run(step);
      results.push({ name: step.name, ok, seconds: (performance.now() - started) / 1000, counts: step.counts?.() });
      if (!ok) break;
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }

  const totals: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  console.log('\n[test] ── summary');
  for (const result of results) {
    totals.passed += result.counts?.passed ?? 0;
    totals.failed += result.counts?.failed ?? 0;
    totals.skipped += result.counts?.skipped ?? 0;
    const counts = result.counts ? `  ${formatTotals(result.counts)}` : '';
    console.log(`  ${result.name.padEnd(11)} ${result.ok ? 'ok    ' : 'FAILED'} ${result.seconds.toFixed(1).padStart(6)}s${counts}`);
  }
  const notRun = selected.filter((name) => !results.some((result) => result.name === name));
  if (notRun.length > 0) console.log(`  not run: ${notRun.join(', ')}`);

  const failedStep = results.find((result) => !result.ok);
  if (failedStep && (failedStep.counts?.failed ?? 0) === 0) {
    console.log(`  ${failedStep.name} failed without a failing test: counted as 1 failure`);
    totals.failed += 1;
  }
  console.log(formatTotals(totals));
  return failedStep ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode ??= code;
  },
  (error: unknown) => {
    console.error(`[test] ${error instanceof Error ? error.message : String(error)}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  },
);
