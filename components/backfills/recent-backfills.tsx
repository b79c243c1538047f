/** The newest backfills on /runs, each linking to its page with its day counts. */
import Link from 'next/link';
import type { BackfillSummary } from '@/lib/backfills/read';

const STATUS: Record<BackfillSummary['status'], string> = { active: 'in progress', finished: 'finished', cancelled: 'cancelled' };

export function RecentBackfills({ backfills }: { backfills: BackfillSummary[] }) {
  return (
    <section aria-labelledby="recent-backfills" className="flex flex-col gap-3">
      <h2 id="recent-backfills" className="text-lg font-semibold">
        Backfills
      </h2>
      {backfills.length === 0 ? (
        <p className="text-sm text-foreground-muted">No backfill yet.</p>
      ) : (
        <ul className="flex flex-col gap-2 text-sm">
          {backfills.map((backfill) => (
            <li key={backfill.id} className="rounded-control border border-border px-3 py-2">
              <Link href={`/runs/backfills/${backfill.id}`} className="font-medium underline underline-offset-4">
                {backfill.startDate} → {backfill.endDate}
              </Link>{' '}
              · {STATUS[backfill.status]}
              {backfill.origin === 'catch_up' ? ' · catch-up' : ''}
              <span className="block text-xs text-foreground-muted">
                {backfill.counts.completed} done, {backfill.counts.failed} failed, {backfill.counts.running} running, {backfill.counts.waiting} waiting,{' '}
                {backfill.counts.skipped} skipped of {backfill.counts.total} · {backfill.requestedBy}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
