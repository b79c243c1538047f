'use client';
/**
 * One step in the run's graph. State shows as colour AND icon + text; plus attempts (`2/6`), progress with the
 * latest message, duration or elapsed time, the next retry time, and what blocks it. The whole card is a button
 * that opens the step drawer, so the graph is usable from the keyboard; hovering or focusing it shows the whole
 * progress message, which the card may have to cut. No text is smaller than 12 px.
 */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { cn } from '@/components/ui/cn';
import { stateIcons } from '@/components/ui/icons';
import { stateAppearance } from '@/components/ui/status';
import { Tooltip } from '@/components/ui/tooltip';
import { attemptsLabel, NODE_HEIGHT, NODE_WIDTH } from '@/lib/console/dag';
import { formatWait, stepDuration } from '@/lib/console/format';
import { formatDuration } from '@/lib/time/format';
import type { StepView } from '@/lib/console/views';

export interface StepNodeData extends Record<string, unknown> {
  step: StepView;
  now: number;
  /** Failed steps upstream that keep this one from running. */
  blockedBy: string[] | undefined;
  onOpen(name: string): void;
}

export type StepNodeType = Node<StepNodeData, 'step'>;

const borders: Record<StepView['status'], string> = {
  pending: 'border-status-pending/40',
  running: 'border-status-running',
  retrying: 'border-status-retrying',
  completed: 'border-status-completed',
  failed: 'border-status-failed border-[3px] shadow-[0_0_0_4px] shadow-status-failed-tint',
  cancelled: 'border-status-cancelled',
  blocked: 'border-status-blocked border-dashed',
  resolved_manually: 'border-status-resolved-manually',
};

export function StepNode({ data }: NodeProps<StepNodeType>) {
  const { step, now, blockedBy, onOpen } = data;
  const { label, className: tint } = stateAppearance[step.status];
  const StateIcon = stateIcons[step.status];
  const duration = stepDuration(step, now);
  const timing =
    duration === null ? 'Not started' : duration.ms === null ? 'Stopped' : `${duration.stopped ? 'Took' : 'Elapsed'} ${formatDuration(duration.ms)}`;
  const message =
    step.progressMessage ?? (step.status === 'pending' ? (step.dependsOn.length ? `Waits for ${step.dependsOn.join(', ')}` : 'Waiting for a worker') : null);
  const percent = step.status === 'completed' || step.status === 'resolved_manually' ? 100 : (step.progressPercent ?? null);
  const attempts = attemptsLabel(step);
  // A completed step whose result an operator supplied says so: its dependents ran on what a person typed.
  const operatorSupplied = step.status === 'completed' && step.resolvedBy !== null;
  const stateLabel = operatorSupplied ? `${label} (result supplied by ${step.resolvedBy})` : label;
  return (
    <div
      data-testid={`step-node-${step.name}`}
      data-status={step.status}
      data-operator-supplied={operatorSupplied ? 'true' : undefined}
      data-blocked={blockedBy ? 'true' : undefined}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      className={cn(
        'overflow-hidden rounded-card border-2 bg-surface text-foreground shadow-card',
        borders[step.status],
        blockedBy && 'border-dashed border-status-failed/70',
      )}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!bg-border-strong" />
      <Tooltip content={<span className="block max-w-72">{message ?? label}</span>}>
        <button
          type="button"
          onClick={() => onOpen(step.name)}
          aria-label={`${step.name}: ${stateLabel}, attempts ${attempts}${blockedBy ? `, blocked by ${blockedBy.join(', ')}` : ''}${message ? `. ${message}` : ''}. Open details`}
          className="nodrag flex h-full w-full flex-col gap-1 p-2.5 text-left focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-focus"
        >
          <span className="flex w-full items-center gap-2">
            <span className={cn('inline-flex items-center gap-1 rounded-full px-1.5 py-0.5 text-xs font-semibold', tint)} data-testid="step-state">
              <StateIcon className={cn('size-3.5', step.status === 'running' && 'motion-safe:animate-pulse')} />
              {label}
              {operatorSupplied && <span data-testid="step-operator-supplied"> · by hand</span>}
            </span>
            <span className="ml-auto text-xs tabular-nums text-foreground-muted" data-testid="step-attempts" title="Attempts in the current retry budget / attempts allowed">
              {attempts}
            </span>
          </span>
          <span className="truncate font-mono text-sm font-semibold" title={step.name}>
            {step.name}
          </span>
          <span className="flex items-center gap-2" aria-hidden="true">
            <span className="h-1.5 flex-1 overflow-hidden rounded-full bg-surface-muted ring-1 ring-border ring-inset">
              <span className="block h-full rounded-full bg-accent transition-[width] duration-300" style={{ width: `${percent ?? 0}%` }} />
            </span>
            <span className="w-9 text-right text-xs tabular-nums text-foreground-muted">{percent === null ? '' : `${Math.round(percent)}%`}</span>
          </span>
          <span className="line-clamp-2 text-xs leading-snug text-foreground-muted" data-testid="step-message">
            {message ?? ' '}
          </span>
          <span className="mt-auto flex w-full items-center gap-2 text-xs tabular-nums text-foreground-muted">
            {/* A blocked step that never ran needs the room for what blocks it more than "Not started". */}
            {!(blockedBy && duration === null) && (
              <span className="shrink-0 whitespace-nowrap" data-testid="step-elapsed">
                {timing}
              </span>
            )}
            {step.status === 'retrying' && (
              <span className="ml-auto font-semibold text-status-retrying" data-testid="step-next-retry">
                Next retry {formatWait(step.runAfter, now)}
              </span>
            )}
            {blockedBy && (
              <span className="ml-auto min-w-0 truncate font-semibold text-status-failed" data-testid="step-blocked" title={`Blocked by ${blockedBy.join(', ')}`}>
                Blocked by {blockedBy.join(', ')}
              </span>
            )}
          </span>
        </button>
      </Tooltip>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!bg-border-strong" />
    </div>
  );
}
