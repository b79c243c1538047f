'use client';
/** The run page's header: state, window, progress, times, initiator, the ETA slot, and the run-wide actions. */
import { Card } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { StatusBadge } from '@/components/ui/status-badge';
import { formatWindow, spanMs } from '@/lib/console/format';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import type { RunDetailView } from '@/lib/console/views';
import { OperationDialog } from './operation-dialog';
import type { RunOperations } from './run-operations';

export function RunHeader({
  run,
  now,
  operations,
  onOperationDone,
}: {
  run: RunDetailView;
  now: number;
  operations?: RunOperations;
  onOperationDone(message: string): void;
}) {
  const duration = spanMs(run.startedAt, run.completedAt, now);
  const hasFailed = run.steps.some((step) => step.status === 'failed');
  const cancellable = run.status !== 'completed' && run.status !== 'cancelled';
  const facts: [string, string][] = [
    ['Window', formatWindow(run.window)],
    ['Started', formatTimestamp(run.startedAt)],
    ['Finished', formatTimestamp(run.completedAt)],
    [run.completedAt ? 'Duration' : 'Elapsed', duration === null ? '—' : formatDuration(duration)],
    ['Initiator', run.initiator],
  ];
  return (
    <Card className="flex flex-col gap-4 p-5" aria-labelledby="run-title">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="run-title" className="text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">
          {run.pipeline}
        </h1>
        <StatusBadge state={run.status} data-testid="run-status" className="text-sm" />
        <span className="font-mono text-xs break-all text-foreground-muted">
          {run.id} · v{run.version}
        </span>
        {operations && (
          <div className="ml-auto flex flex-wrap gap-2" data-testid="run-actions">
            {hasFailed && run.status !== 'cancelled' && (
              <OperationDialog kind="retry_failed" taskId={run.id} operations={operations} onDone={onOperationDone} size="md" />
            )}
            {cancellable && <OperationDialog kind="cancel_task" taskId={run.id} operations={operations} onDone={onOperationDone} size="md" />}
          </div>
        )}
      </div>
      {/* Values wrap rather than truncate: a cut window end or initiator is a wrong fact, not a shorter one. */}
      <dl className="grid grid-cols-[repeat(auto-fill,minmax(10.5rem,1fr))] gap-x-6 gap-y-2 text-sm">
        {facts.map(([term, value]) => (
          <div key={term} className="min-w-0">
            <dt className="text-xs text-foreground-muted">{term}</dt>
            <dd className="tabular-nums [overflow-wrap:anywhere]">
              {value}
            </dd>
          </div>
        ))}
        {/* Filled by the monitoring issue (expected completion); the slot keeps the layout stable. */}
        <div className="min-w-0" data-slot="eta">
          <dt className="text-xs text-foreground-muted">ETA</dt>
          <dd className="text-foreground-muted">—</dd>
        </div>
      </dl>
      <Progress value={run.stepsDone} max={run.stepsTotal} label="Steps done" valueText={`${run.stepsDone}/${run.stepsTotal} steps`} />
    </Card>
  );
}
