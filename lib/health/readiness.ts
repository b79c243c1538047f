/** Readiness: the database answers and every migration in drizzle/ is applied. */
import type pg from 'pg';
import { expectedMigrationCount } from '@/db/migrate';

export interface Readiness {
  ready: boolean;
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | 'pending' | 'unknown' };
}

export async function checkReadiness(pool: pg.Pool): Promise<Readiness> {
  try {
    const applied = await pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    );
    const migrationsOk = (applied.rows[0]?.count ?? 0) >= expectedMigrationCount();
    return { ready: migrationsOk, checks: { database: 'ok', migrations: migrationsOk ? 'ok' : 'pending' } };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P01: the migrations table does not exist yet, so the server answered.
    if (code === '42P01') return { ready: false, checks: { database: 'ok', migrations: 'pending' } };
    return { ready: false, checks: { database: 'unreachable', migrations: 'unknown' } };
  }
}
