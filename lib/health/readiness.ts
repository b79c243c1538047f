/**
 * Readiness: the database answers, every migration in drizzle/ is applied, and some worker (in this process or
 * a standalone one) recorded a heartbeat within WORKER_HEARTBEAT_WINDOW_S — without one no run would progress.
 * `versions` says whether every unfinished run's pipeline version is served by a live worker; a run that is not
 * cannot progress, but the process is still ready (the alert on /alerts names the run).
 */
import type pg from 'pg';
import { expectedMigrationCount } from '@/db/migrate';
import { readUnservedTasks, readWorkerHeartbeats } from '@/lib/engine';

export const WORKER_HEARTBEAT_WINDOW_S = 30;

export interface Readiness {
  ready: boolean;
  checks: {
    database: 'ok' | 'unreachable';
    migrations: 'ok' | 'pending' | 'unknown';
    workers: 'ok' | 'none' | 'unknown';
    /** Absent while no worker is alive. */
    versions?: 'ok' | 'unserved';
  };
  /** Unfinished runs whose version no live worker serves (absent while no worker is alive). */
  unservedRuns?: number;
}

export async function checkReadiness(pool: pg.Pool): Promise<Readiness> {
  try {
    const applied = await pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    );
    const migrationsOk = (applied.rows[0]?.count ?? 0) >= expectedMigrationCount();
    if (!migrationsOk) return { ready: false, checks: { database: 'ok', migrations: 'pending', workers: 'unknown' } };
    const alive = await readWorkerHeartbeats(pool, { withinSeconds: WORKER_HEARTBEAT_WINDOW_S });
    if (alive.length === 0) return { ready: false, checks: { database: 'ok', migrations: 'ok', workers: 'none' } };
    const unserved = await readUnservedTasks(pool, { aliveWithinSeconds: WORKER_HEARTBEAT_WINDOW_S });
    return {
      ready: true,
      checks: { database: 'ok', migrations: 'ok', workers: 'ok', versions: unserved.length > 0 ? 'unserved' : 'ok' },
      unservedRuns: unserved.length,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P01: the migrations table does not exist yet, so the server answered.
    if (code === '42P01') return { ready: false, checks: { database: 'ok', migrations: 'pending', workers: 'unknown' } };
    return { ready: false, checks: { database: 'unreachable', migrations: 'unknown', workers: 'unknown' } };
  }
}
