import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '@/db/schema/auth';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { CREDENTIALS_FILE, DEFAULT_ADMIN_EMAIL, ensureBootstrapAdmin } from './bootstrap';
import { signIn } from './sign-in';

describe('first-run admin', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bootstrap-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('with ADMIN_EMAIL / ADMIN_PASSWORD', () => {
    let testDb: TestDatabase;
    beforeAll(async () => {
      testDb = await createTestDatabase();
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('creates that admin once, writes no credentials file, and does nothing on later starts', async () => {
      const lines: string[] = [];
      const first = await ensureBootstrapAdmin(testDb.db, { email: 'Boss@Example.com', password: 'Env-admin-password-1', dataDir, log: (line) => lines.push(line) });
      expect(first).toEqual({ created: true, email: 'boss@example.com', passwordSource: 'environment' });
      expect(lines.join('\n')).not.toContain('Env-admin-password-1');
      expect(existsSync(path.join(dataDir, CREDENTIALS_FILE))).toBe(false);
      const [admin] = await testDb.db.select().from(users).where(eq(users.email, 'boss@example.com'));
      expect(admin?.role).toBe('admin');
      expect(admin?.passwordHash).not.toContain('Env-admin-password-1');

      const signedIn = await signIn(testDb.db, { email: 'boss@example.com', password: 'Env-admin-password-1', clientAddress: 'local' });
      expect(signedIn.ok).toBe(true);

      expect(await ensureBootstrapAdmin(testDb.db, { email: 'other@example.com', password: 'Another-password-2', dataDir })).toEqual({ created: false });
      expect(await testDb.db.select().from(users)).toHaveLength(1);
      expect(await testDb.db.select().from(auditLog).where(eq(auditLog.action, 'user.create'))).toHaveLength(1);
    });

    it('creates exactly one admin when several processes start at once', async () => {
      const other = await createTestDatabase();
      try {
        const results = await Promise.all(
          [1, 2, 3].map(() => ensureBootstrapAdmin(other.db, { email: 'race@example.com', password: 'Race-password-123', dataDir, log: () => {} })),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(await other.db.select().from(users)).toHaveLength(1);
      } finally {
        await other.drop();
      }
    });
  });

  describe('without a password in the environment', () => {
    let testDb: TestDatabase;
    beforeAll(async () => {
      testDb = await createTestDatabase();
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('generates a strong password, prints it once and saves it in a 0600 file in the data folder', async () => {
      const lines: string[] = [];
      const result = await ensureBootstrapAdmin(testDb.db, { dataDir, log: (line) => lines.push(line) });
      expect(result.created && result.passwordSource).toBe('generated');
      const file = path.join(dataDir, CREDENTIALS_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      const password = /password: (\S+)/.exec(text)?.[1] ?? '';
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(text).toContain(`email: ${DEFAULT_ADMIN_EMAIL}`);
      expect(lines.join('\n')).toContain(password);
      expect((await signIn(testDb.db, { email: DEFAULT_ADMIN_EMAIL, password, clientAddress: 'local' })).ok).toBe(true);

      const printedAgain: string[] = [];
      await ensureBootstrapAdmin(testDb.db, { dataDir, log: (line) => printedAgain.push(line) });
      expect(printedAgain).toEqual([]);
    });
  });
});
