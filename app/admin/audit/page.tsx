/** `/admin/audit` (admin): who did what and when, newest first, paginated with ?page=N. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { buttonClassName } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDb } from '@/lib/database';
import { listAuditEntries } from '@/lib/audit/read';
import { requirePageRole } from '@/lib/auth/guards';
import { AdminNav, formatTime } from '../admin-nav';

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
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Target</TableHead>
                <TableHead>Details</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell className="whitespace-nowrap text-foreground-muted">{formatTime(entry.occurredAt)}</TableCell>
                  <TableCell>{entry.actorLabel}</TableCell>
                  <TableCell>
                    <code className="font-mono text-xs">{entry.action}</code>
                  </TableCell>
                  <TableCell>{entry.target ?? '—'}</TableCell>
                  <TableCell>
                    {entry.details ? <code className="font-mono text-xs break-all text-foreground-muted">{JSON.stringify(entry.details)}</code> : '—'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
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
