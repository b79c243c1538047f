/** `/admin/audit` (admin): who did what and when, newest first, paginated with ?page=N. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { buttonClassName } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { listAuditEntries } from '@/lib/audit/read';
import { requirePageRole } from '@/lib/auth/guards';
import { formatTimestamp } from '@/lib/time/format';
import { AdminNav } from '../admin-nav';

export const metadata: Metadata = { title: 'Audit log' };

// A malformed ?page= shows the first page rather than an error: it is only navigation.
const pageParam = z.coerce.number().int().min(1).max(1_000_000).catch(1);

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole('admin');
  const { page: rawPage } = await searchParams;
  const { entries, page, pageCount, total } = await listAuditEntries(getDb().db, { page: pageParam.parse(rawPage) });
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Administration</h1>
      <AdminNav current="/admin/audit" />
      <Card>
        <CardHeader>
          <CardTitle>Audit log</CardTitle>
          <CardDescription>
            {total} entries, newest first. Page {page} of {pageCount}.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <ListTable
            rows={entries}
            rowKey={(entry) => entry.id}
            columns={[
              { header: 'When', className: 'whitespace-nowrap text-foreground-muted', cell: (entry) => formatTimestamp(entry.occurredAt) },
              { header: 'Who', cell: (entry) => entry.actorLabel },
              { header: 'Action', cell: (entry) => <code className="font-mono text-xs">{entry.action}</code> },
              { header: 'Target', cell: (entry) => entry.target ?? '—' },
              {
                header: 'Details',
                cell: (entry) => (entry.details ? <code className="font-mono text-xs break-all text-foreground-muted">{JSON.stringify(entry.details)}</code> : '—'),
              },
            ]}
          />
          <nav aria-label="Audit log pages" className="flex items-center gap-2">
            {page > 1 ? (
              <Link className={buttonClassName('secondary', 'sm')} href={`/admin/audit?page=${page - 1}`} rel="prev">
                Newer
              </Link>
            ) : null}
            {page < pageCount ? (
              <Link className={buttonClassName('secondary', 'sm')} href={`/admin/audit?page=${page + 1}`} rel="next">
                Older
              </Link>
            ) : null}
          </nav>
        </CardContent>
      </Card>
    </div>
  );
}
