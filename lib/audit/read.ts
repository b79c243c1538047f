/** Reading the audit log for the admin page: newest first, one page at a time. */
import { count, desc } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { auditLog, type AuditEntry } from '@/db/schema/auth';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditPage {
  entries: AuditEntry[];
  page: number;
  pageCount: number;
  total: number;
}

export async function listAuditEntries(db: Database, options: { page: number; pageSize?: number }): Promise<AuditPage> {
  const pageSize = options.pageSize ?? AUDIT_PAGE_SIZE;
  const [totals] = await db.select({ total: count() }).from(auditLog);
  const total = totals?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, options.page), pageCount);
  const entries = await db
    .select()
    .from(auditLog)
    .orderBy(desc(auditLog.occurredAt), desc(auditLog.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { entries, page, pageCount, total };
}
