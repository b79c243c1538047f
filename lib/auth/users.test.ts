import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '@/db/schema/auth';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { UserFacingError } from './errors';
import { changeUserRole, createUser, listUsers, setUserDisabled } from './users';

describe('user administration', () => {
  let testDb: TestDatabase;
  let adminId: string;
  const system = { actorId: null, actorLabel: 'test' };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    adminId = (await createUser(testDb.db, { email: 'root@nightshift.test', role: 'admin', password: 'Root-password-123' }, system)).id;
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('creates users with normalised emails, never exposing the hash, and audits it', async () => {
    const created = await createUser(testDb.db, { email: ' New.Person@Nightshift.TEST ', name: 'New Person', role: 'viewer', password: 'Viewer-password-1' }, system);
    expect(created.email).toBe('new.person@nightshift.test');
    expect(created).not.toHaveProperty('passwordHash');
    expect((await listUsers(testDb.db)).every((user) => !('passwordHash' in user))).toBe(true);
    const [entry] = await testDb.db.select().from(auditLog).where(eq(auditLog.target, 'new.person@nightshift.test'));
    expect(entry).toMatchObject({ action: 'user.create', actorLabel: 'test', details: { role: 'viewer' } });
  });

  it('refuses a duplicate email and a weak password', async () => {
    await expect(createUser(testDb.db, { email: 'NEW.person@nightshift.test', role: 'viewer', password: 'Viewer-password-1' }, system)).rejects.toThrow(UserFacingError);
    await expect(createUser(testDb.db, { email: 'short@nightshift.test', role: 'viewer', password: 'short' }, system)).rejects.toThrow(/at least 12/);
  });

  it('changes roles with an audit entry, but not your own, and never removes the last admin', async () => {
    const admin = { actorId: adminId, actorLabel: 'root@nightshift.test' };
    const person = await createUser(testDb.db, { email: 'promote@nightshift.test', role: 'viewer', password: 'Promote-password-1' }, system);
    expect((await changeUserRole(testDb.db, person.id, 'operator', admin)).role).toBe('operator');
    const [entry] = await testDb.db.select().from(auditLog).where(eq(auditLog.action, 'user.role.change'));
    expect(entry).toMatchObject({ actorId: adminId, target: 'promote@nightshift.test', details: { from: 'viewer', to: 'operator' } });

    await expect(changeUserRole(testDb.db, adminId, 'viewer', admin)).rejects.toThrow(/your own/);
    await expect(changeUserRole(testDb.db, adminId, 'viewer', system)).rejects.toThrow(/last admin/);
    await expect(setUserDisabled(testDb.db, adminId, true, system)).rejects.toThrow(/last enabled admin/);

    await changeUserRole(testDb.db, person.id, 'admin', admin);
    expect((await changeUserRole(testDb.db, adminId, 'operator', { actorId: person.id, actorLabel: person.email })).role).toBe('operator');
  });

  it('disables and re-enables an account, audited', async () => {
    const person = await createUser(testDb.db, { email: 'leaver@nightshift.test', role: 'operator', password: 'Leaver-password-1' }, system);
    expect((await setUserDisabled(testDb.db, person.id, true, system)).disabledAt).not.toBeNull();
    expect((await setUserDisabled(testDb.db, person.id, false, system)).disabledAt).toBeNull();
    const actions = (await testDb.db.select().from(auditLog).where(eq(auditLog.target, 'leaver@nightshift.test'))).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.disable', 'user.enable']));
    const [row] = await testDb.db.select().from(users).where(eq(users.id, person.id));
    expect(row?.disabledAt).toBeNull();
  });
});
