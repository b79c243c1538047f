/**
 * Playwright e2e against a production build (scripts/test.ts builds first; the launcher also builds when stale).
 *
 * Each run starts its own server through the launcher (scripts/start.ts, spawned directly so SIGTERM reaches it)
 * with a fresh data folder and embedded PostgreSQL on a free port, so e2e never touches a developer's .data/ or
 * an external DATABASE_URL. The config is evaluated again in every worker process: the first evaluation records
 * its choices in process.env, which the workers inherit, so they agree with it.
 */
import { existsSync, mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { parseEnv } from './lib/env';
import { chromiumArgs, findChromium } from './e2e/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, artifactsDir } from './e2e/fixtures';
import { freePort, processAlive } from './db/embedded';

const runDirPrefix = 'nightshift-e2e-';


/**
 * Data folders of earlier runs whose runner is gone (the server outlives the config, so it cannot clean up after
 * itself). A PostgreSQL still running in one (runner killed with -9) is asked to stop; its folder goes next time.
 */
function removeAbandonedRunDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const match = new RegExp(`^${runDirPrefix}(\\d+)-`).exec(name);
    if (!match?.[1] || processAlive(Number(match[1]))) continue;
    const dir = path.join(os.tmpdir(), name);
    const postmasterPidFile = path.join(dir, 'pg', 'postmaster.pid');
    const postmasterPid = existsSync(postmasterPidFile) ? Number.parseInt(readFileSync(postmasterPidFile, 'utf8'), 10) : NaN;
    if (Number.isInteger(postmasterPid) && processAlive(postmasterPid)) {
      process.kill(postmasterPid, 'SIGINT');
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}


const settings = parseEnv(process.env);

const chromiumLookup = findChromium(settings.PLAYWRIGHT_CHROMIUM_PATH);
if (!chromiumLookup.found) {
  console.error(chromiumLookup.problem);
  process.exit(1);
}

if (!process.env.NIGHTSHIFT_E2E_DATA_DIR) {
  removeAbandonedRunDirs();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${runDirPrefix}${process.pid}-`));
  // mkdtemp makes 0700 folders; the embedded server runs as the `postgres` user when we are root and must get in.
  chmodSync(dataDir, 0o755);
  process.env.NIGHTSHIFT_E2E_DATA_DIR = dataDir;
  process.env.NIGHTSHIFT_E2E_PG_PORT = String(await freePort());
  // A fixed port only when asked for: another run (or anything else) on 3100 must not break this one.
  process.env.NIGHTSHIFT_E2E_PORT = String(settings.E2E_PORT ?? (await freePort()));
}

// The e2e server always uses its own embedded database; an external DATABASE_URL is for the vitest suite.
// Playwright passes its own environment to the server, so the variables must go from process.env itself.
delete process.env.DATABASE_URL;
delete process.env.SOURCE_DATABASE_URL;

const port = Number(process.env.NIGHTSHIFT_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: path.join(artifactsDir, 'test-results'),
  // One server and one database for the whole run: specs run one at a time so they cannot race on shared rows.
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Specs sign in through the UI and drive real runs; a busy 2-core machine needs the headroom.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: path.join(artifactsDir, 'results.json') }]],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    // Checks the status page of a fresh install, so it must run before any spec delivers a dashboard.
    {
      name: 'fresh-install',
      testMatch: /fresh-install\.spec\.ts/,
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: { executablePath: chromiumLookup.executablePath, args: chromiumArgs },
      },
    },
    {
      name: 'chromium',
      dependencies: ['fresh-install'],
      testIgnore: /(fresh-install|npm-start)\.spec\.ts/,
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: { executablePath: chromiumLookup.executablePath, args: chromiumArgs },
      },
    },
    // Starts and stops a whole second Nightshift (`npm start`) on this machine: after every browser spec, so its
    // start-up and shutdown share the two cores with none of them.
    {
      name: 'process-signals',
      dependencies: ['chromium'],
      testMatch: /npm-start\.spec\.ts/,
    },
  ],
  webServer: {
    command: 'node --import tsx scripts/start.ts',
    url: `${baseURL}/api/health/ready`,
    // First start: initdb, migrations and the default demo data set (a build too if it is stale).
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      NIGHTSHIFT_DATA_DIR: process.env.NIGHTSHIFT_E2E_DATA_DIR ?? '',
      EMBEDDED_PG_PORT: process.env.NIGHTSHIFT_E2E_PG_PORT ?? '',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      // Specs drive steps into failure on purpose; a 250 ms back-off base spends ~8 s instead of ~31 s on six attempts.
      WORKER_BACKOFF_BASE_MS: '250',
      // Specs keep a run going with per-request CRM latency: pages of 1,000 make the 2,000 demo users two requests.
      SOURCE_PAGE_SIZE: '1000',
    },
  },
});
