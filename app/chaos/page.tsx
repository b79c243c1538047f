/** `/chaos` (operator): the fault-injection panel for the demo sources — for demos, training and drills. */
import type { Metadata } from 'next';
import { getDb } from '@/lib/database';
import { ChaosForm } from '@/components/demo/chaos-form';
import { requirePageRole } from '@/lib/auth/guards';
import { chaosFormValues } from '@/lib/demo/chaos-console';
import { readChaosSettings } from '@/lib/demo/chaos';
import { updateChaosAction } from './actions';

export const metadata: Metadata = { title: 'Fault injection' };
export const dynamic = 'force-dynamic';

export default async function ChaosPage() {
  await requirePageRole('operator');
  const settings = await readChaosSettings(getDb().db);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Fault injection</h1>
        <p className="max-w-3xl text-sm text-foreground-muted">
          Make the demo source systems misbehave on purpose, to watch retries, back-off and operator actions at work. Every change is recorded in the
          audit log. Settings apply to the next request each source receives, in every process.
        </p>
      </div>
      <ChaosForm action={updateChaosAction} values={chaosFormValues(settings)} />
    </div>
  );
}
