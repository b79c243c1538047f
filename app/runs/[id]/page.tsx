/** `/runs/[id]`: one run — header, live DAG, step drawer, timeline and events; operators also get the actions. */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { loadRunDetail, loadRunEvents } from '@/lib/console/read-models';
import { loadRunDelivery } from '@/lib/delivery/runs';
import { DeliveryPanel } from './delivery-panel';
import { RunPage } from './run-page';
import { deliveredPipeline } from '@/lib/runtime/registry';

/** The run's short id in the tab title, so several open runs can be told apart; no database read for it. */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id.slice(0, 8)}` };
}
export const dynamic = 'force-dynamic';

export default async function RunDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePageRole('viewer');
  const { id } = await params;
  const [run, events, delivery] = await Promise.all([loadRunDetail(getDb(), id, deliveredPipeline()), loadRunEvents(getDb(), id), loadRunDelivery(getDb().pool, id, deliveredPipeline())]);
  if (!run) notFound();
  const canOperate = hasRole(principal.role, 'operator');
  return (
    <div className="flex flex-col gap-6">
      {delivery && <DeliveryPanel taskId={run.id} delivery={delivery} canOperate={canOperate} />}
      <RunPage initialRun={run} initialEvents={events} renderedAt={Date.parse(run.asOf)} canOperate={canOperate} />
    </div>
  );
}
