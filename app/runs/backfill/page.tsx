/** `/runs/backfill` (operator): rebuild a range of days as one run per day, a few at a time. */
import type { Metadata } from 'next';
import { BackfillForm } from '@/components/backfills/backfill-form';
import { requirePageRole } from '@/lib/auth/guards';
import { backfillFormDefaults } from '@/lib/backfills';
import { createBackfillAction } from './actions';

export const metadata: Metadata = { title: 'Backfill' };
export const dynamic = 'force-dynamic';

export default async function BackfillPage() {
  await requirePageRole('operator');
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Backfill</h1>
        <p className="text-sm text-foreground-muted">
          Rebuild customer analytics for a range of days: one run per day with the daily schedule&apos;s window. Backfilled days fill the
          history; they never change a past day&apos;s delivery record or replace the dashboard&apos;s default view.
        </p>
      </div>
      <BackfillForm action={createBackfillAction} defaults={backfillFormDefaults()} />
    </div>
  );
}
