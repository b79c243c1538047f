/**
 * The production Next server for the dashboard and cold-start benchmarks: the team's lock around everything that
 * uses .next/ and its ports, building when the build is missing or stale, starting `next start`, and waiting for
 * a URL to answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buildIsStale } from '../../scripts/build-freshness';
import { webServerCommand } from '../../scripts/web-server';
import { onInterrupt } from './cleanup';

const NEXT_LOCK = '/tmp/nightshift-next.lock';
const root = process.cwd();
const nextBin = path.join(root, 'node_modules', '.bin', 'next');

/**
 * Holds the shared lock (flock on /tmp/nightshift-next.lock, which `next build`, Playwright and `npm start` runs on
 * this machine take) until release() is called. Without flock (not Linux), runs unlocked.
 */
export async function holdNextLock(): Promise<{ release(): Promise<void> }> {
  if (spawnSync('flock', ['--version']).status !== 0) return { release: async () => {} };
  const holder = spawn('flock', [NEXT_LOCK, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    void exited.then(() => reject(new Error('flock exited before taking the lock')));
  });
  return {
    async release() {
      holder.stdin?.end();
      await exited;
    },
  };
}

/** Builds when needed; call with the lock held. Returns the seconds the build took (0: the build was current). */
export function ensureProductionBuild(): number {
  if (!buildIsStale()) return 0;
  const started = performance.now();
  const build = spawnSync(nextBin, ['build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (build.status !== 0) throw new Error('next build failed');
  return (performance.now() - started) / 1000;
}

/** Polls until `url` answers 200 and `accept(body)` holds; resolves with the elapsed milliseconds. */
export async function waitForOk(url: string, options: { headers?: Record<string, string>; accept(body: string): boolean; timeoutMs: number; since?: number }): Promise<number> {
  const since = options.since ?? performance.now();
  const deadline = since + options.timeoutMs;
  let last = 'no answer yet';
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url, { headers: options.headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      if (response.status === 200 && options.accept(body)) return performance.now() - since;
      last = `HTTP ${response.status}${response.status === 200 ? ' without the expected content' : ''}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer 200 with the expected content within ${options.timeoutMs} ms (last: ${last})`);
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops a process group started with `detached: true` — SIGTERM, then SIGKILL after `graceMs` — and waits until
 * no process of the group is left (`npm start` leaves PostgreSQL stopping after npm itself has exited).
 */
export async function stopProcessGroup(child: ChildProcess, graceMs = 15_000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) signal('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Spawns a command in a process group of its own, stopped by stopProcessGroup (or by the runner when interrupted). */
export function spawnGroup(command: string, args: string[], options: { env: NodeJS.ProcessEnv; stdio: 'inherit' | 'pipe' }): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', options.stdio, options.stdio], env: options.env });
  const forget = onInterrupt(() => stopProcessGroup(child, 5_000));
  child.once('exit', () => forget());
  return child;
}

/**
 * The web server `npm start` runs (scripts/serve.ts with its Node settings) on `port` against `databaseUrl`, with
 * the engine and scheduler off so nothing but requests runs.
 */
export function startNextServer(options: { port: number; databaseUrl: string }): ChildProcess {
  const server = webServerCommand(root);
  return spawnGroup(server.command, server.args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port),
      RUN_WORKERS: '0',
      SCHEDULER_ENABLED: '0',
      LOG_LEVEL: 'warn',
    },
  });
}
