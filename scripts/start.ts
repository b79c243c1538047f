/**
 * `npm start` / `npm run dev`: the one command that runs Nightshift.
 *
 * Builds if the build is missing or older than the sources, starts the embedded PostgreSQL unless
 * DATABASE_URL is set, migrates, seeds the demo sources when they are empty, then runs Next (scripts/serve.ts)
 * as a child, with the web server's Node settings (scripts/web-server.ts).
 * SIGINT/SIGTERM stop Next first, then PostgreSQL, so nothing is left running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { env } from '../lib/env';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { seedIfEmpty } from '../lib/demo/generator/seed-if-empty';
import { createPool } from '../db/client';
import { ensureBootstrapAdmin } from '../lib/auth/bootstrap';
import { buildIsStale } from './build-freshness';
import { webServerCommand } from './web-server';

const dev = process.argv.includes('--dev');
const root = process.cwd();
const nextBin = path.join(root, 'node_modules', '.bin', 'next');

async function main() {
  const settings = env();
  // Filled in as start-up proceeds; shutdown stops whatever has been started so far.
  const running: { embedded?: EmbeddedPostgres; next?: ChildProcess } = {};
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const { next, embedded } = running;
    if (next && next.exitCode === null && next.signalCode === null) {
      const exited = new Promise((resolve) => next.once('exit', resolve));
      next.kill('SIGTERM');
      const timer = setTimeout(() => next.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (embedded) {
      console.log('[nightshift] stopping embedded PostgreSQL');
      await embedded.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  if (!dev && buildIsStale()) {
    console.log('[nightshift] building (next build)…');
    const build = spawnSync(nextBin, ['build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (build.status !== 0) throw new Error('next build failed');
  }

  let databaseUrl = settings.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: settings.NIGHTSHIFT_DATA_DIR,
      port: settings.EMBEDDED_PG_PORT,
      durable: true,
    });
    running.embedded = embedded;
    databaseUrl = embedded.url;
    console.log(`[nightshift] embedded PostgreSQL on 127.0.0.1:${settings.EMBEDDED_PG_PORT}, data in ${embedded.clusterDir}`);
  } else {
    console.log(`[nightshift] using DATABASE_URL (${new URL(databaseUrl).host})`);
  }

  await runMigrations(databaseUrl);
  const bootstrapDb = createPool(databaseUrl, { max: 1, applicationName: 'nightshift-bootstrap' });
  await ensureBootstrapAdmin(bootstrapDb.db).finally(() => bootstrapDb.close());
  if (settings.SEED_ON_EMPTY) await seedIfEmpty(settings.SOURCE_DATABASE_URL ?? databaseUrl, databaseUrl);
  if (stopping) return;

  // scripts/serve.ts rather than `next start`: it records each request's socket peer (see that file).
  const server = webServerCommand(root, { dev });
  const next = spawn(server.command, server.args, {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: dev ? 'development' : 'production' },
  });
  running.next = next;
  next.on('exit', (code) => void shutdown(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(`[nightshift] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
