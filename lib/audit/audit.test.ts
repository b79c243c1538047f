import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/setup/database';
import { withTransaction } from '@/db/transaction';
import { listAuditEntries } from './read';
import { recordAudit } from './record';

describe('audit log', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('records through drizzle, a raw pg pool, or inside a caller transaction (and rolls back with it)', async () => {
    await recordAudit(testDb.db, { actorLabel: 'drizzle@nightshift.test', action: 'run.start', target: 'task-1', details: { pipeline: 'customer_analytics' } });
    await recordAudit(testDb.pool, { actorLabel: 'pg@nightshift.test', action: 'run.retry', target: 'task-1' });
    await withTransaction(testDb.pool, (client) => recordAudit(client, { actorLabel: 'tx', action: 'run.cancel', target: 'task-2' }));
    await expect(
      withTransaction(testDb.pool, async (client) => {
        await recordAudit(client, { actorLabel: 'tx', action: 'run.resolve', target: 'rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { entries } = await listAuditEntries(testDb.db, { page: 1 });
    expect(entries.map((entry) => entry.action)).toEqual(['run.cancel', 'run.retry', 'run.start']);
    expect(entries[2]?.details).toEqual({ pipeline: 'customer_analytics' });
  });

  it('never stores values under keys that name secrets', async () => {
    await recordAudit(testDb.db, { actorLabel: 'x', action: 'test.redaction', details: { password: 'hunter2-hunter2', nested: { apiSecret: 'abc' }, token: 'ns_abc', tokenId: 'kept' } });
    const { entries } = await listAuditEntries(testDb.db, { page: 1 });
    expect(entries[0]?.details).toEqual({ password: '[redacted]', nested: { apiSecret: '[redacted]' }, token: '[redacted]', tokenId: 'kept' });
  });

  it('pages newest first', async () => {
    for (let index = 0; index < 7; index += 1) await recordAudit(testDb.db, { actorLabel: 'pager', action: `page.test.${index}` });
    const first = await listAuditEntries(testDb.db, { page: 1, pageSize: 5 });
    const second = await listAuditEntries(testDb.db, { page: 2, pageSize: 5 });
    expect(first.total).toBe(11);
    expect(first.pageCount).toBe(3);
    expect(first.entries.map((entry) => entry.action).slice(0, 3)).toEqual(['page.test.6', 'page.test.5', 'page.test.4']);
    const seen = [...first.entries, ...second.entries].map((entry) => entry.id);
    expect(new Set(seen).size).toBe(10);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect((await listAuditEntries(testDb.db, { page: 99, pageSize: 5 })).page).toBe(3);
  });
});
