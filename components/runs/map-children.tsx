'use client';
/**
 * A mapped step's children on the run page: searchable by index or item text and filterable by status, each with
 * its state, attempts, duration and last error; a child opens in the step drawer like any step. Shown 50 at a time
 * so a 10,000-item map stays a page long until asked for more.
 */
import { useDeferredValue, useId, useState } from 'react';
import { Card } from '@/components/ui/card';
import { stateAppearance } from '@/components/ui/status';
import { StatusBadge } from '@/components/ui/status-badge';
import { attemptsLabel } from '@/lib/console/dag';
import { stepDuration } from '@/lib/console/format';
import { CHILD_BUCKET_LABELS, CHILD_BUCKETS, describeCounts, itemText, searchChildren, type ChildBucket, type MapGroup } from '@/lib/console/mapped-steps';
import type { StepView } from '@/lib/console/views';
import { formatDuration } from '@/lib/time/format';

const PAGE = 50;

const fieldClass =
  'h-9 rounded-control border border-border-strong bg-surface px-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus';

export const mapChildrenId = (name: string) => `children-${name}`;
export const mapChildrenSearchId = (name: string) => `children-search-${name}`;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function durationText(step: StepView, now: number): string {
  const duration = stepDuration(step, now);
  if (duration === null) return 'Not started';
  if (duration.ms === null) return 'Stopped';
  return `${duration.stopped ? 'Took' : 'Elapsed'} ${formatDuration(duration.ms)}`;
}

export function MapChildren({ group, now, onOpenStep }: { group: MapGroup<StepView>; now: number; onOpenStep(name: string): void }) {
  const { parent, children, counts } = group;
  const [text, setText] = useState('');
  const [bucket, setBucket] = useState<ChildBucket | 'any'>('any');
  const [limit, setLimit] = useState(PAGE);
  const deferredText = useDeferredValue(text);
  const found = searchChildren(children, { text: deferredText, bucket });
  const shown = found.slice(0, limit);
  const id = useId();
  const headingId = `${id}-heading`;
  const searching = deferredText.trim() !== '' || bucket !== 'any';

  return (
    <Card id={mapChildrenId(parent.name)} aria-labelledby={headingId} className="flex scroll-mt-4 flex-col gap-4 p-4 sm:p-5" data-testid="map-children-list" data-step={parent.name}>
      <div className="flex flex-col gap-1">
        <h2 id={headingId} className="text-lg font-semibold">
          Children of <span className="font-mono [overflow-wrap:anywhere]">{parent.name}</span>
        </h2>
        <p className="text-sm text-foreground-muted">
          {parent.map?.items === null
            ? `Expands into one step per item of ${parent.map.over} once it is done.`
            : `One step per item of ${parent.map?.over ?? 'its list'}: ${counts.total.toLocaleString('en')} children, ${describeCounts(counts)}.`}
        </p>
      </div>
      {children.length > 0 && (
        <>
          <form role="search" aria-label={`Find a child of ${parent.name}`} className="flex flex-wrap items-end gap-3" onSubmit={(event) => event.preventDefault()}>
            <div className="flex min-w-0 flex-1 basis-48 flex-col gap-1">
              <label htmlFor={mapChildrenSearchId(parent.name)} className="text-xs font-medium text-foreground-muted">
                Index or text in the item
              </label>
              <input
                id={mapChildrenSearchId(parent.name)}
                type="search"
                value={text}
                onChange={(event) => {
                  setText(event.target.value);
                  setLimit(PAGE);
                }}
                placeholder="e.g. 42 or photos/0042"
                autoComplete="off"
                className={fieldClass}
              />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-status`} className="text-xs font-medium text-foreground-muted">
                Status
              </label>
              <select
                id={`${id}-status`}
                value={bucket}
                onChange={(event) => {
                  const value = event.target.value;
                  setBucket(CHILD_BUCKETS.find((candidate) => candidate === value) ?? 'any');
                  setLimit(PAGE);
                }}
                className={fieldClass}
              >
                <option value="any">Any status</option>
                {CHILD_BUCKETS.map((candidate) => (
                  <option key={candidate} value={candidate} title={CHILD_BUCKET_LABELS[candidate].description}>
                    {capitalised(CHILD_BUCKET_LABELS[candidate].label)} ({counts[candidate].toLocaleString('en')})
                  </option>
                ))}
              </select>
            </div>
          </form>
          <p aria-live="polite" role="status" className="text-sm text-foreground-muted" data-testid="map-children-count">
            {searching
              ? `${found.length.toLocaleString('en')} of ${children.length.toLocaleString('en')} children match${found.length > shown.length ? `; the first ${shown.length} are shown` : ''}.`
              : found.length > shown.length
                ? `The first ${shown.length} of ${children.length.toLocaleString('en')} children are shown.`
                : `${children.length.toLocaleString('en')} children.`}
          </p>
          {found.length === 0 ? (
            <p className="text-sm text-foreground-muted">No child matches. Try an index such as 3, or part of an item.</p>
          ) : (
            <ul className="flex flex-col divide-y divide-border rounded-control border border-border" aria-label={`Children of ${parent.name}`}>
              {shown.map((child) => (
                <li key={child.name} data-testid="map-child" data-status={child.status}>
                  <button
                    type="button"
                    onClick={() => onOpenStep(child.name)}
                    className="flex w-full flex-col gap-1 px-3 py-2 text-left text-sm hover:bg-surface-muted focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-focus"
                    aria-label={`${child.name}: ${stateAppearance[child.status].label}, attempts ${attemptsLabel(child)}. Open details`}
                  >
                    <span className="flex w-full flex-wrap items-center gap-x-3 gap-y-1">
                      <span className="font-mono font-semibold">[{child.mapChild?.index}]</span>
                      <StatusBadge state={child.status} />
                      <span className="text-xs tabular-nums text-foreground-muted" title="Attempts in the current retry budget / attempts allowed">
                        Attempts {attemptsLabel(child)}
                      </span>
                      <span className="text-xs tabular-nums text-foreground-muted">{durationText(child, now)}</span>
                    </span>
                    <span className="truncate font-mono text-xs text-foreground-muted" title={itemText(child.mapChild?.item)}>
                      {itemText(child.mapChild?.item)}
                    </span>
                    {child.lastError && child.status !== 'completed' && (
                      <span className="line-clamp-2 text-xs text-status-failed [overflow-wrap:anywhere]">
                        <strong>{child.lastError.class}</strong>: {child.lastError.message}
                      </span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {found.length > shown.length && (
            <div>
              <button
                type="button"
                onClick={() => setLimit((current) => current + PAGE)}
                className="rounded-control text-sm font-semibold text-link underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-focus"
              >
                Show {Math.min(PAGE, found.length - shown.length)} more
              </button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
