/**
 * The run's delivery: its kind, what became of its dashboard snapshot (with the gate's reasons when held), a link
 * to the snapshot, and — for operators — the review decisions. Rendered on the server above the live run view.
 */
import Link from 'next/link';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { formatDateTime } from '@/lib/time/format';
import { KIND_LABELS } from '@/lib/delivery/definition';
import { OUTCOME_LABELS, type RunDelivery } from '@/lib/delivery/runs';
import { DiscardSnapshotForm, MakeDefaultViewForm, PublishAnywayForm } from '../../delivery/review-forms';

const KIND_EXPLANATIONS = {
  delivery: 'The daily delivery: this window published on its delivery day.',
  backfill: 'A backfill: it fills the history and never changes a day’s delivery outcome or the default view.',
  ad_hoc: 'An ad-hoc analysis window: it publishes into the history only.',
} as const;

export function DeliveryPanel({ taskId, delivery, canOperate }: { taskId: string; delivery: RunDelivery; canOperate: boolean }) {
  return (
    <Card aria-labelledby="delivery-heading" data-testid="run-delivery" data-kind={delivery.kind} data-outcome={delivery.outcome ?? 'none'}>
      <CardHeader>
        <CardTitle id="delivery-heading" as="h2">
          {KIND_LABELS[delivery.kind]}
          {delivery.outcome && <> · {OUTCOME_LABELS[delivery.outcome]}</>}
          {delivery.isDefaultView && <> · default view</>}
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <p className="text-foreground-muted">{KIND_EXPLANATIONS[delivery.kind]}</p>
        {delivery.outcome === 'held_for_review' && (
          <div role="note" className="rounded-card border border-status-retrying bg-status-retrying-tint p-3 text-status-retrying">
            <p className="font-semibold">Held for review: the data-quality gate did not publish this snapshot.</p>
            <ul className="list-disc pl-5">
              {delivery.holdReasons.map((reason) => (
                <li key={`${reason.code}:${reason.message}`}>{reason.message}</li>
              ))}
            </ul>
          </div>
        )}
        {delivery.review && (
          <p>
            {delivery.outcome === 'discarded' ? 'Discarded' : 'Published anyway'} by {delivery.review.by} on {formatDateTime(delivery.review.at)}
            {delivery.review.reason ? `: ${delivery.review.reason}` : ''}.
          </p>
        )}
        {delivery.snapshotId !== null && delivery.outcome !== 'discarded' && (
          <Link className="text-link underline" href={`/?snapshot=${delivery.snapshotId}`} data-testid="run-snapshot-link">
            Open its snapshot #{delivery.snapshotId}
          </Link>
        )}
        {canOperate && delivery.outcome === 'held_for_review' && (
          <div className="flex flex-col gap-2">
            <PublishAnywayForm taskId={taskId} />
            <DiscardSnapshotForm taskId={taskId} />
          </div>
        )}
        {canOperate && delivery.outcome === 'published' && !delivery.isDefaultView && delivery.snapshotId !== null && (
          <MakeDefaultViewForm snapshotId={delivery.snapshotId} taskId={taskId} />
        )}
      </CardContent>
    </Card>
  );
}
