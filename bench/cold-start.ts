/**
 * Benchmark 5 — cold start: from spawning `npm start` to the first 200 on `/` (as the operator API_TOKEN, with the
 * dashboard page in the body), first with an empty data folder (initdb, migrations, first admin, demo seed, Next
 * start), then again with the data folder that run left behind. The production build must exist and be current
 * (it is rebuilt before each run if needed; call with the Next lock held), so neither run includes a build; a run
 * that rebuilds anyway fails the check.
 * After each run the whole process group, PostgreSQL included, must be gone.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, processAlive, resolveClusterDir } from '@/db/embedded';
import { ensureProductionBuild, spawnGroup, stopProcessGroup, waitForOk } from './support/next-server';
import { check, round, type BenchmarkReport } from './support/report';

const START_TIMEOUT_MS = 180_000;

async function timeStart(dataDir: string, apiToken: string): Promise<{ seconds: number; output: string }> {
  // Others may edit sources in a shared checkout between runs; the start must find a current build.
  ensureProductionBuild();
  const port = await freePort();
  const { DATABASE_URL: _database, SOURCE_DATABASE_URL: _source, ...inherited } = process.env;
  const child = spawnGroup('npm', ['start'], {
    stdio: 'pipe',
    env: {
      ...inherited,
      NIGHTSHIFT_DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      API_TOKEN: apiToken,
    },
  });
  const started = performance.now();
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`))));
    exited.catch(() => undefined);
    const elapsedMs = await Promise.race([
      waitForOk(`http://127.0.0.1:${port}/`, {
        headers: { authorization: `Bearer ${apiToken}` },
        accept: (body) => body.includes('Executive dashboard'),
        timeoutMs: START_TIMEOUT_MS,
        since: started,
      }),
      exited,
    ]);
    return { seconds: elapsedMs / 1000, output };
  } catch (error) {
    console.error(output);
    throw error;
  } finally {
    await stopProcessGroup(child);
  }
}

function postgresLeftRunning(dataDir: string): boolean {
  const pidFile = path.join(resolveClusterDir(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isFinite(pid) && processAlive(pid);
}

export async function runColdStart(): Promise<BenchmarkReport> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-cold-'));
  chmodSync(dataDir, 0o755);
  const apiToken = randomBytes(24).toString('hex');
  try {
    const empty = await timeStart(dataDir, apiToken);
    check(!postgresLeftRunning(dataDir), 'npm start left its PostgreSQL running after SIGTERM (empty data folder)');
    check(existsSync(path.join(resolveClusterDir(dataDir), 'PG_VERSION')), 'the first start did not create the cluster in the data folder');
    const existing = await timeStart(dataDir, apiToken);
    check(!postgresLeftRunning(dataDir), 'npm start left its PostgreSQL running after SIGTERM (existing data folder)');
    for (const run of [empty, existing]) check(!run.output.includes('building (next build)'), 'npm start rebuilt the app, so this was not a start with an existing build');
    check(empty.output.includes('[seed]'), 'the empty-folder start did not seed the demo data, so the folder was not empty');
    check(!existing.output.includes('[seed]'), 'the second start seeded again, so it did not reuse the data folder');
    return {
      benchmark: 'cold-start',
      rows: [
        { metric: 'npm start → first 200 on / (existing build + data folder)', value: `${round(existing.seconds, 1)} s` },
        { metric: 'npm start → first 200 on / (existing build, empty data folder: initdb, migrate, seed)', value: `${round(empty.seconds, 1)} s` },
      ],
      goals: [],
      details: { existingDataFolderSeconds: round(existing.seconds, 2), emptyDataFolderSeconds: round(empty.seconds, 2) },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    // The cluster lives elsewhere when the data folder is not reachable by the postgres user.
    const clusterDir = resolveClusterDir(dataDir);
    if (!clusterDir.startsWith(dataDir)) rmSync(path.dirname(clusterDir), { recursive: true, force: true });
  }
}
