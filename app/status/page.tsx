/** `/status`: the public status page — no sign-in; shows states, times and rates only (lib/status). */
import type { Metadata } from 'next';
import { StatusView } from '@/components/dashboard/status-view';
import { getDb } from '@/db/client';
import { loadPublicStatus } from '@/lib/status';

export const metadata: Metadata = { title: 'Status' };
export const dynamic = 'force-dynamic';

export default async function StatusPage() {
  return <StatusView status={await loadPublicStatus(getDb().pool)} />;
}
