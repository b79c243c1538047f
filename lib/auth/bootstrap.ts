/**
 * First run: when no user exists, create an admin so somebody can sign in.
 *
 * ADMIN_EMAIL / ADMIN_PASSWORD when set; otherwise admin@nightshift.local with a generated password that is
 * printed once and written to `<NIGHTSHIFT_DATA_DIR>/admin-credentials.txt` (mode 0600). Runs under an
 * advisory lock so two processes starting together create one admin, and does nothing once any user exists
 * (changing ADMIN_PASSWORD later does not reset anybody's password).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { users } from '@/db/schema/auth';
import { env } from '@/lib/env';
import { recordAudit, SYSTEM_ACTOR } from '@/lib/audit/record';
import { generatePassword, hashPassword } from './password';
import { normalizeEmail } from './users';

export const DEFAULT_ADMIN_EMAIL = 'admin@nightshift.local';
export const CREDENTIALS_FILE = 'admin-credentials.txt';

export interface BootstrapOptions {
  email?: string;
  password?: string;
  dataDir?: string;
  log?: (line: string) => void;
}

export type BootstrapResult =
  | { created: false }
  | { created: true; email: string; passwordSource: 'environment' | 'generated'; credentialsFile?: string };

export async function ensureBootstrapAdmin(db: Database, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const settings = env();
  const email = normalizeEmail(options.email ?? settings.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL);
  const givenPassword = options.password ?? settings.ADMIN_PASSWORD;
  const dataDir = options.dataDir ?? settings.NIGHTSHIFT_DATA_DIR;
  const log = options.log ?? ((line: string) => console.log(line));

  // Cheap check first: hashing costs ~0.1 s and is wasted on every start after the first.
  if ((await db.select({ id: users.id }).from(users).limit(1)).length > 0) return { created: false };
  const password = givenPassword ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const created = await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('nightshift:bootstrap-admin'))`);
    const existing = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing.length > 0) return false;
    const [admin] = await tx.insert(users).values({ email, name: 'Administrator', role: 'admin', passwordHash }).returning({ id: users.id });
    await recordAudit(tx, {
      ...SYSTEM_ACTOR,
      action: 'user.create',
      target: email,
      details: { role: 'admin', bootstrap: true, passwordSource: givenPassword ? 'environment' : 'generated', userId: admin?.id },
    });
    return true;
  });
  if (!created) return { created: false };

  if (givenPassword) {
    log(`[nightshift] created the first admin ${email} (password from ADMIN_PASSWORD)`);
    return { created: true, email, passwordSource: 'environment' };
  }
  mkdirSync(dataDir, { recursive: true });
  const credentialsFile = path.join(dataDir, CREDENTIALS_FILE);
  writeFileSync(credentialsFile, `email: ${email}\npassword: ${password}\n`, { mode: 0o600 });
  // `mode` only applies when the file is created; a file left from an earlier install keeps its old mode.
  chmodSync(credentialsFile, 0o600);
  log(
    [
      '[nightshift] ───────────────────────────────────────────────',
      '[nightshift] First run: created an admin account. Sign in at /login with',
      `[nightshift]   email:    ${email}`,
      `[nightshift]   password: ${password}`,
      `[nightshift] (also saved in ${credentialsFile}, mode 0600 — shown only this once)`,
      '[nightshift] ───────────────────────────────────────────────',
    ].join('\n'),
  );
  return { created: true, email, passwordSource: 'generated', credentialsFile };
}
