/** `/messages` (viewer): what the demo Slack sink received — the pipeline's notifications — newest first, paginated. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/lib/database';
import { buttonClassName } from '@/components/ui/button';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requirePageRole } from '@/lib/auth/guards';
import { formatTimestamp } from '@/lib/time/format';
import { listSlackMessages, slackMessagesQuerySchema } from '@/lib/demo/slack';

export const metadata: Metadata = { title: 'Messages' };
export const dynamic = 'force-dynamic';

const PAGE_SIZE = 25;

export default async function MessagesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole('viewer');
  const raw = await searchParams;
  const before = Array.isArray(raw.before) ? raw.before[0] : raw.before;
  const parsed = slackMessagesQuerySchema.safeParse({ before, limit: String(PAGE_SIZE) });
  const { messages, next_before: nextBefore } = await listSlackMessages(getDb().db, parsed.success ? parsed.data : { limit: PAGE_SIZE });
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Messages</h1>
        <p className="text-sm text-foreground-muted">Notifications received by the demo Slack sink, newest first.</p>
      </div>
      {!parsed.success && (
        <p role="alert" className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
          {parsed.error.issues.map((issue) => issue.message).join('; ')} — showing the newest messages instead.
        </p>
      )}
      <Table data-testid="messages-table">
        <TableCaption>{messages.length === 0 ? 'No messages received yet.' : `${messages.length} messages on this page.`}</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Received (UTC)</TableHead>
            <TableHead>Channel</TableHead>
            <TableHead>Message</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {messages.map((message) => (
            <TableRow key={message.id}>
              <TableCell className="whitespace-nowrap align-top text-xs tabular-nums">{formatTimestamp(message.received_at)}</TableCell>
              <TableCell className="align-top font-mono text-xs">{message.channel ?? '—'}</TableCell>
              <TableCell className="whitespace-pre-wrap text-sm">{message.text || '(blocks or attachments only)'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <nav aria-label="Pages" className="flex gap-2">
        {parsed.success && parsed.data.before !== undefined && (
          <Link href="/messages" className={buttonClassName('secondary', 'sm')}>
            Newest
          </Link>
        )}
        {nextBefore !== null && (
          <Link href={`/messages?before=${nextBefore}`} className={buttonClassName('secondary', 'sm')}>
            Older
          </Link>
        )}
      </nav>
    </div>
  );
}
