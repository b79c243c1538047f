'use client';
/**
 * The step drawer: every attempt (worker, times, outcome, error, stack collapsible), the progress history from
 * step.progress events, the result as formatted JSON, the step's events, and — for operators — its actions. A map
 * child shows its item and a way back to its mapped step; a mapped step, its children's counts and the way to them.
 */
import * as DialogPrimitive from '@radix-ui/react-dialog';
import { useRef } from 'react';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/ui/status-badge';
import { attemptsLabel } from '@/lib/console/dag';
import { formatWait, spanMs } from '@/lib/console/format';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import { ScrollRegion } from '@/components/ui/scroll-region';
import { describeCounts, type MapGroup } from '@/lib/console/mapped-steps';
import type { OperationKind } from '@/lib/console/operation-kinds';
import type { EventView, RunDetailView, StepView } from '@/lib/console/views';
import { AttemptLogs } from './attempt-logs';
import { OperationDialog } from './operation-dialog';
import type { RunOperations } from './run-operations';
import { describeEvent } from './run-events';

/** Which operations make sense for a step in this state (the engine has the final word). */
function stepOperations(step: StepView, taskStatus: RunDetailView['status']): OperationKind[] {
  if (taskStatus === 'cancelled') return [];
  const kinds: OperationKind[] = [];
  if (step.status === 'failed') kinds.push('retry_step');
  if (step.status === 'completed' || step.status === 'resolved_manually') kinds.push('rerun_from_step');
  if (step.status === 'failed' || step.status === 'pending' || step.status === 'retrying') kinds.push('resolve_step');
  if ((step.status === 'failed' || step.status === 'pending' || step.status === 'retrying' || step.status === 'blocked') && !step.map?.items) kinds.push('complete_step');
  return kinds;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      {children}
    </section>
  );
}

export function StepDrawer({
  taskId,
  taskStatus,
  step,
  mapGroup,
  events,
  now,
  operations,
  onOperationDone,
  onOpenStep,
  onShowChildren,
  onClose,
}: {
  taskId: string;
  taskStatus: RunDetailView['status'];
  step: StepView | undefined;
  /** The mapped step the open step is, or is a child of. */
  mapGroup?: MapGroup<StepView>;
  events: EventView[];
  now: number;
  operations?: RunOperations;
  onOperationDone(message: string): void;
  onOpenStep(name: string): void;
  /** Go to the searchable list of a mapped step's children (called once the drawer has closed). */
  onShowChildren(name: string): void;
  onClose(): void;
}) {
  /** Set by "Find a child": where focus goes once the drawer has closed, instead of back to what opened it. */
  const childrenAfterClose = useRef<string | null>(null);
  const stepEvents = step ? events.filter((event) => event.stepName === step.name) : [];
  // The engine appends a mapped step's children to its dependencies; they are its children, not what it waits for.
  const ownChildren = new Set(step?.map && mapGroup ? mapGroup.children.map((child) => child.name) : []);
  const dependsOn = step ? step.dependsOn.filter((name) => !ownChildren.has(name)) : [];
  const progress = stepEvents.filter((event) => event.name === 'step.progress');
  return (
    <DialogPrimitive.Root open={Boolean(step)} onOpenChange={(open) => !open && onClose()}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <DialogPrimitive.Content
          data-testid="step-drawer"
          className="fixed inset-y-0 right-0 z-50 flex w-full flex-col gap-5 overflow-y-auto border-l border-border bg-surface p-4 text-foreground shadow-card focus:outline-none sm:w-[min(40rem,100vw)] sm:p-6"
          onCloseAutoFocus={(event) => {
            const name = childrenAfterClose.current;
            if (name === null) return;
            childrenAfterClose.current = null;
            event.preventDefault();
            onShowChildren(name);
          }}
        >
          {step && (
            <>
              <div className="flex items-start gap-3">
                <div className="flex min-w-0 flex-col gap-1">
                  <DialogPrimitive.Title className="font-mono text-lg font-semibold break-all">{step.name}</DialogPrimitive.Title>
                  <DialogPrimitive.Description className="text-sm text-foreground-muted">{step.description ?? 'No description.'}</DialogPrimitive.Description>
                </div>
                <DialogPrimitive.Close asChild>
                  <Button variant="ghost" size="sm" className="ml-auto">
                    Close
                  </Button>
                </DialogPrimitive.Close>
              </div>
              <div className="flex flex-wrap items-center gap-3 text-sm">
                <StatusBadge state={step.status} />
                <span>
                  Attempts <span className="tabular-nums">{attemptsLabel(step)}</span>
                </span>
                {step.status === 'retrying' && <span className="text-status-retrying">Next retry {formatWait(step.runAfter, now)}</span>}
                {dependsOn.length > 0 && <span className="text-foreground-muted">Depends on {dependsOn.join(', ')}</span>}
              </div>
              {step.mapChild && (
                <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="step-map-child">
                  <span>
                    Child <span className="font-mono">[{step.mapChild.index}]</span> of mapped step <span className="font-mono">{step.mapChild.parent}</span>
                    {mapGroup ? ` (${mapGroup.counts.total} children)` : ''}
                  </span>
                  <Button variant="ghost" size="sm" onClick={() => step.mapChild && onOpenStep(step.mapChild.parent)}>
                    Open {step.mapChild.parent}
                  </Button>
                </p>
              )}
              {step.map && (
                <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="step-map">
                  <span>
                    {step.map.items === null
                      ? `Mapped step: expands into one step per item of ${step.map.over} once it is done.`
                      : `Mapped step over ${step.map.over}: ${step.map.items} children, ${mapGroup ? describeCounts(mapGroup.counts) : ''}.`}
                  </span>
                  {(step.map.items ?? 0) > 0 && (
                    <Button
                      variant="ghost"
                      size="sm"
                      onClick={() => {
                        childrenAfterClose.current = step.name;
                        onClose();
                      }}
                    >
                      Find a child
                    </Button>
                  )}
                </p>
              )}
              {operations && stepOperations(step, taskStatus).length > 0 && (
                <div className="flex flex-wrap gap-2" data-testid="step-actions">
                  {stepOperations(step, taskStatus).map((kind) => (
                    <OperationDialog key={kind} kind={kind} taskId={taskId} stepName={step.name} operations={operations} onDone={onOperationDone} />
                  ))}
                </div>
              )}
              {step.lastError && step.status !== 'completed' && (
                <p className="rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed">
                  <strong>{step.lastError.class}</strong>: {step.lastError.message}
                </p>
              )}
              {step.resolvedNote && (
                <p className="rounded-control bg-status-resolved-manually-tint px-3 py-2 text-sm text-status-resolved-manually" data-testid="step-operator-note">
                  {step.status === 'completed' ? `Result supplied by ${step.resolvedBy}` : `Resolved by ${step.resolvedBy}`}: {step.resolvedNote}
                </p>
              )}

              <Section title={`Attempts (${step.attempts.length})`}>
                {step.attempts.length === 0 ? (
                  <p className="text-sm text-foreground-muted">No attempt yet.</p>
                ) : (
                  <ol className="flex flex-col gap-2" data-testid="step-attempts-list">
                    {step.attempts.map((attempt) => {
                      const took = spanMs(attempt.startedAt, attempt.finishedAt, now);
                      return (
                        <li key={attempt.number} className="rounded-control border border-border p-3 text-sm" data-outcome={attempt.outcome ?? 'running'}>
                          <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
                            <span className="font-semibold">#{attempt.number}</span>
                            <span className={attempt.outcome === 'completed' ? 'text-status-completed' : attempt.outcome ? 'text-status-failed' : 'text-status-running'}>
                              {attempt.outcome ?? 'running'}
                            </span>
                            <span className="text-foreground-muted">{formatTimestamp(attempt.startedAt)}</span>
                            <span className="tabular-nums">{took === null ? '—' : formatDuration(took)}</span>
                            <span className="truncate font-mono text-xs text-foreground-muted" title={attempt.workerId}>
                              {attempt.workerId}
                            </span>
                          </div>
                          {attempt.errorClass && (
                            <p className="mt-1 text-status-failed">
                              <strong>{attempt.errorClass}</strong>
                              {attempt.errorMessage ? `: ${attempt.errorMessage}` : ''}
                            </p>
                          )}
                          {attempt.errorStack && (
                            <details className="mt-1">
                              <summary className="cursor-pointer text-xs text-foreground-muted">Stack trace</summary>
                              <ScrollRegion label={`Stack trace of attempt ${attempt.number}`} className="mt-1 max-h-60 rounded-control bg-surface-muted p-2">
                                <pre className="text-xs">{attempt.errorStack}</pre>
                              </ScrollRegion>
                            </details>
                          )}
                        </li>
                      );
                    })}
                  </ol>
                )}
              </Section>

              {step.attempts.length > 0 && (
                <Section title="Attempt logs">
                  <AttemptLogs taskId={taskId} stepName={step.name} />
                </Section>
              )}

              {step.mapChild && (
                <Section title="Item">
                  <ScrollRegion label={`Item of ${step.name}`} className="max-h-48 rounded-control bg-surface-muted p-3" data-testid="step-item">
                    <pre className="text-xs">{JSON.stringify(step.mapChild.item, null, 2) ?? 'No item'}</pre>
                  </ScrollRegion>
                </Section>
              )}

              <Section title="Progress history">
                {progress.length === 0 ? (
                  <p className="text-sm text-foreground-muted">No progress reported.</p>
                ) : (
                  <ScrollRegion label="Progress history" className="max-h-48">
                    <ol className="flex flex-col gap-1 text-xs">
                      {progress.map((event) => (
                        <li key={event.id} className="flex gap-3">
                          <span className="shrink-0 tabular-nums text-foreground-muted">{formatTimestamp(event.createdAt).slice(11)}</span>
                          <span>
                            {typeof event.payload.message === 'string' ? event.payload.message : ''}
                            {typeof event.payload.percent === 'number' ? ` (${Math.round(event.payload.percent)}%)` : ''}
                          </span>
                        </li>
                      ))}
                    </ol>
                  </ScrollRegion>
                )}
              </Section>

              <Section title="Result">
                {step.result === null || step.result === undefined ? (
                  <p className="text-sm text-foreground-muted">No result yet.</p>
                ) : (
                  <ScrollRegion label={`Result of ${step.name}`} className="max-h-72 rounded-control bg-surface-muted p-3" data-testid="step-result">
                    <pre className="text-xs">{JSON.stringify(step.result, null, 2)}</pre>
                  </ScrollRegion>
                )}
              </Section>

              <Section title={`Events (${stepEvents.length})`}>
                <ScrollRegion label={`Events of ${step.name}`} className="max-h-72">
                  <ol className="flex flex-col gap-1 text-xs">
                    {stepEvents.map((event) => (
                      <li key={event.id} className="flex gap-3">
                        <span className="shrink-0 tabular-nums text-foreground-muted">{formatTimestamp(event.createdAt).slice(11)}</span>
                        <span className="shrink-0 font-mono">{event.name}</span>
                        <span className="min-w-0 text-foreground-muted">{describeEvent(event)}</span>
                      </li>
                    ))}
                  </ol>
                </ScrollRegion>
              </Section>
            </>
          )}
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
