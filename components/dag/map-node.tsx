'use client';
/**
 * A mapped step in the run's graph: one card however many children it expanded to, with the step's own state, its
 * children's counts in words (done, running, failed, waiting) and a bar of how many are done. "Show children" grows
 * the card (the graph is laid out again) into a grid of one small cell per child (mouse: click a cell to open it),
 * the children needing attention first as buttons, and a link to the searchable list of all of them below the graph,
 * which is the keyboard and screen-reader way to every child.
 */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { cn } from '@/components/ui/cn';
import { stateIcons } from '@/components/ui/icons';
import { stateAppearance } from '@/components/ui/status';
import { MAP_GRID_LIMIT, MAP_LIST_LIMIT, NODE_HEIGHT, NODE_WIDTH } from '@/lib/console/dag';
import { childrenDuration } from '@/lib/console/format';
import { bucketOf, CHILD_BUCKET_LABELS, childrenNeedingAttention, describeCounts, itemText, type ChildBucket, type MapGroup } from '@/lib/console/mapped-steps';
import { formatDuration } from '@/lib/time/format';
import type { StepView } from '@/lib/console/views';

export interface MapNodeData extends Record<string, unknown> {
  group: MapGroup<StepView>;
  now: number;
  blockedBy: string[] | undefined;
  expanded: boolean;
  /** The node's height, expanded or not (the layout's, so card and layout agree). */
  height: number;
  onOpen(name: string): void;
  onToggle(name: string): void;
  onShowChildren(name: string): void;
}

export type MapNodeType = Node<MapNodeData, 'map'>;

/** A child's cell: colour by state, and waiting children hollow, so done and not-yet-run differ without colour too. */
export const childCellClass: Record<StepView['status'], string> = {
  completed: 'bg-status-completed',
  resolved_manually: 'bg-status-resolved-manually',
  running: 'bg-status-running motion-safe:animate-pulse',
  failed: 'bg-status-failed ring-1 ring-status-failed ring-offset-1 ring-offset-surface',
  retrying: 'border border-status-retrying bg-status-retrying-tint',
  pending: 'border border-status-pending/60',
  blocked: 'border border-dashed border-status-blocked',
  cancelled: 'bg-status-cancelled/50',
};

const countColour: Record<ChildBucket, string> = {
  done: 'text-status-completed',
  running: 'text-status-running',
  failed: 'text-status-failed',
  waiting: 'text-foreground-muted',
  cancelled: 'text-status-cancelled',
};

const childLabel = (child: StepView) => `${child.name}: ${stateAppearance[child.status].label}${child.mapChild ? ` · ${itemText(child.mapChild.item)}` : ''}`;

export function MapNode({ data }: NodeProps<MapNodeType>) {
  const { group, now, blockedBy, expanded, height, onOpen, onToggle, onShowChildren } = data;
  const { parent: step, children, counts } = group;
  const { label, className: tint } = stateAppearance[step.status];
  const StateIcon = stateIcons[step.status];
  const items = step.map?.items ?? null;
  const over = step.map?.over ?? 'its list';
  const duration = childrenDuration(children, now);
  const timing = duration === null ? 'Not started' : `${duration.stopped ? 'Took' : 'Elapsed'} ${formatDuration(duration.ms)}`;
  const summary = items === null ? `Expands into one step per item of ${over} once it is done` : items === 0 ? `${over} returned an empty list: nothing to run` : describeCounts(counts);
  const regionId = `map-children-${step.name}`;
  const shownCells = children.slice(0, MAP_GRID_LIMIT);
  return (
    <div
      data-testid={`step-node-${step.name}`}
      data-status={step.status}
      data-mapped="true"
      data-blocked={blockedBy ? 'true' : undefined}
      style={{ width: NODE_WIDTH, height }}
      className={cn(
        'flex flex-col overflow-hidden rounded-card border-2 bg-surface text-foreground shadow-card',
        counts.failed > 0 ? 'border-status-failed' : counts.running > 0 ? 'border-status-running' : step.status === 'completed' ? 'border-status-completed' : 'border-status-pending/40',
        blockedBy && counts.failed === 0 && 'border-dashed border-status-failed/70',
      )}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!bg-border-strong" style={{ top: NODE_HEIGHT / 2 }} />
      <button
        type="button"
        onClick={(event) => {
          event.stopPropagation();
          onOpen(step.name);
        }}
        aria-label={`${step.name}: mapped step over ${over}, ${label}. ${items === null ? summary : `${items} children: ${summary}`}${blockedBy ? `, blocked by ${blockedBy.join(', ')}` : ''}. Open details`}
        className="nodrag flex h-[116px] w-full shrink-0 flex-col gap-1 px-2.5 pt-2.5 text-left focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-focus"
      >
        <span className="flex w-full items-center gap-2">
          <span className={cn('inline-flex items-center gap-1 rounded-full px-1.5 py-0.5 text-xs font-semibold', tint)} data-testid="step-state">
            <StateIcon className={cn('size-3.5', step.status === 'running' && 'motion-safe:animate-pulse')} />
            {label}
          </span>
          <span className="ml-auto truncate text-xs text-foreground-muted" title={`Mapped step: one child step per item of ${over}`}>
            Mapped{items === null ? '' : ` ×${items.toLocaleString('en')}`}
          </span>
        </span>
        <span className="truncate font-mono text-sm font-semibold" title={step.name}>
          {step.name}
        </span>
        <span className="flex items-center gap-2" aria-hidden="true">
          <span className="h-1.5 flex-1 overflow-hidden rounded-full bg-surface-muted ring-1 ring-border ring-inset">
            <span className="block h-full rounded-full bg-accent transition-[width] duration-300" style={{ width: `${items ? (counts.done / items) * 100 : 0}%` }} />
          </span>
          <span className="w-16 text-right text-xs tabular-nums text-foreground-muted">{items ? `${counts.done}/${items}` : ''}</span>
        </span>
        <span className="line-clamp-2 text-xs leading-snug" data-testid="map-counts">
          {items === null || items === 0 ? (
            <span className="text-foreground-muted">{summary}</span>
          ) : (
            (['done', 'running', 'failed', 'waiting', 'cancelled'] as const)
              .filter((bucket) => bucket !== 'cancelled' || counts.cancelled > 0)
              .map((bucket, index) => (
                <span key={bucket} title={CHILD_BUCKET_LABELS[bucket].description} className={cn('tabular-nums', counts[bucket] > 0 ? countColour[bucket] : 'text-foreground-muted', bucket === 'failed' && counts.failed > 0 && 'font-semibold')}>
                  {index > 0 && <span className="text-foreground-muted"> · </span>}
                  {counts[bucket].toLocaleString('en')} {CHILD_BUCKET_LABELS[bucket].label}
                </span>
              ))
          )}
        </span>
      </button>
      <div className="flex h-[40px] shrink-0 items-center gap-2 px-2.5 pb-1 text-xs tabular-nums text-foreground-muted">
        {items !== null && items > 0 && (
          <button
            type="button"
            aria-expanded={expanded}
            aria-controls={expanded ? regionId : undefined}
            onClick={(event) => {
              event.stopPropagation();
              onToggle(step.name);
            }}
            className="nodrag shrink-0 rounded-control border border-border-strong px-2 py-1 font-medium text-foreground hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-focus"
            data-testid="map-toggle"
          >
            {expanded ? 'Hide children' : 'Show children'}
          </button>
        )}
        {blockedBy ? (
          <span className="ml-auto min-w-0 truncate font-semibold text-status-failed" data-testid="step-blocked" title={`Blocked by ${blockedBy.join(', ')}`}>
            Blocked by {blockedBy.join(', ')}
          </span>
        ) : (
          <span className="ml-auto shrink-0 whitespace-nowrap" data-testid="step-elapsed">
            {timing}
          </span>
        )}
      </div>
      {expanded && items !== null && (
        // Clicks in here are the children's, not the card's: the graph's node click (open the mapped step) ignores them.
        <div id={regionId} data-map-children className="nodrag flex min-h-0 flex-col gap-2 border-t border-border px-2.5 pt-2 pb-2" data-testid="map-children">
          {children.length === 0 ? (
            <p className="text-xs text-foreground-muted">No children.</p>
          ) : (
            <>
              <div aria-hidden="true" className="flex flex-wrap gap-[2px]" data-testid="map-cells">
                {shownCells.map((child) => (
                  <button
                    key={child.name}
                    type="button"
                    tabIndex={-1}
                    title={childLabel(child)}
                    onClick={() => onOpen(child.name)}
                    className={cn('size-2 rounded-[1px]', childCellClass[child.status])}
                    data-status={child.status}
                  />
                ))}
              </div>
              {children.length > MAP_GRID_LIMIT && (
                <p className="h-4 text-xs leading-4 text-foreground-muted">
                  First {MAP_GRID_LIMIT.toLocaleString('en')} of {children.length.toLocaleString('en')} drawn
                </p>
              )}
              <ul className="flex flex-col" aria-label={`Children of ${step.name}, those needing attention first`}>
                {childrenNeedingAttention(children, MAP_LIST_LIMIT).map((child) => (
                  <li key={child.name} className="h-[26px]">
                    <button
                      type="button"
                      onClick={() => onOpen(child.name)}
                      className="flex h-6 w-full items-center gap-2 rounded-control px-1 text-left text-xs hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-focus"
                      aria-label={`${childLabel(child)}. Open details`}
                    >
                      <span aria-hidden="true" className={cn('size-2 shrink-0 rounded-[1px]', childCellClass[child.status])} />
                      <span className="shrink-0 font-mono">[{child.mapChild?.index}]</span>
                      <span className={cn('shrink-0', countColour[bucketOf(child.status)])}>{stateAppearance[child.status].label}</span>
                      <span className="min-w-0 truncate text-foreground-muted">{itemText(child.mapChild?.item)}</span>
                    </button>
                  </li>
                ))}
              </ul>
              <button
                type="button"
                onClick={() => onShowChildren(step.name)}
                className="mt-auto h-8 shrink-0 rounded-control text-left text-xs font-semibold text-link underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-focus"
              >
                All {children.length.toLocaleString('en')} children, with search
              </button>
            </>
          )}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="!bg-border-strong" style={{ top: NODE_HEIGHT / 2 }} />
    </div>
  );
}
