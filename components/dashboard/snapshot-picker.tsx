/**
 * Picks a published snapshot: a plain GET form, so it works before hydration and keeps a shareable URL. Each
 * entry says what it is — daily delivery, backfill or ad hoc — and which one is the default view.
 */
import { buttonClassName } from '@/components/ui/button';
import type { SnapshotRef } from '@/lib/dashboard/snapshots';
import { KIND_LABELS } from '@/lib/delivery/definition';
import { formatDay, formatDateTime } from '@/lib/time/format';

export function SnapshotPicker({ snapshots, selectedId }: { snapshots: SnapshotRef[]; selectedId: number }) {
  return (
    <form method="get" action="/" className="flex w-full min-w-0 flex-wrap items-end gap-2 sm:w-auto" aria-label="Snapshot">
      <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm">
        <span className="text-foreground-muted">Snapshot</span>
        <select
          name="snapshot"
          defaultValue={String(selectedId)}
          className="h-9 w-full min-w-0 rounded-control border border-border-strong bg-surface px-2 text-sm"
        >
          {snapshots.map((snapshot) => (
            <option key={snapshot.id} value={snapshot.id}>
              #{snapshot.id} · {KIND_LABELS[snapshot.kind]} · {formatDay(snapshot.windowStart)} – {formatDay(snapshot.windowEnd)}
              {snapshot.publishedAt ? ` · published ${formatDateTime(snapshot.publishedAt)}` : ''}
              {snapshot.isCurrent ? ' (default view)' : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className={buttonClassName('secondary', 'sm')}>
        Show
      </button>
    </form>
  );
}
