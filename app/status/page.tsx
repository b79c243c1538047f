/** `/status`: the public status page — no sign-in; shows states, times and rates only (lib/status, cached by lib/answers). */
import type { Metadata } from 'next';
import { StatusView } from '@/components/dashboard/status-view';
import { cachedAnswers } from '@/lib/answers';

export const metadata: Metadata = { title: 'Status' };
export const dynamic = 'force-dynamic';

export default async function StatusPage() {
  return <StatusView status={(await cachedAnswers().status()).value} />;
}
