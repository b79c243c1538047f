'use client';
/** The run page's header: state, window, progress, times, initiator, the ETA slot, and the run-wide actions. */
import { Card } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { StatusBadge } from '@/components/ui/status-badge';
import { Tooltip } from '@/components/ui/tooltip';
import { formatWindow, spanMs } from '@/lib/console/format';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import type { RunDetailView } from '@/lib/console/views';
import { OperationDialog } from './operation-dialog';
import type { RunOperations } from './run-operations';

const DEFINITION_HASH_TITLE =
  'Definition hash (first 8 characters): a fingerprint of the graph, step names, mapped steps, retry and timeout settings this run was launched on. Two runs of one version with different hashes ran different definitions.';

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
        <span className="font-mono text-xs break-all text-foreground-muted">{run.id}</span>
        {operations && (
          <div className="ml-auto flex flex-wrap gap-2" data-testid="run-actions">
            {hasFailed && run.status !== 'cancelled' && (
              <OperationDialog kind="retry_failed" taskId={run.id} operations={operations} onDone={onOperationDone} size="md" />
            )}
            {cancellable && <OperationDialog kind="cancel_task" taskId={run.id} operations={operations} onDone={onOperationDone} size="md" />}
          </div>
        )}
      </div>
      {run.unserved && (
        <p role="alert" data-testid="run-unserved" className="rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm">
          No worker serves version {run.version} of this pipeline, so this run cannot progress
          {run.unserved.servedVersions.length > 0 ? ` (workers serve ${run.unserved.servedVersions.map((key) => key.split('@')[1] ?? key).join(', ')})` : ''}.
          Deploy version {run.version} again, or cancel the run.
        </p>
      )}
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
        <div className="min-w-0">
          <dt className="text-xs text-foreground-muted">Version</dt>
          <dd data-testid="run-version">v{run.version}</dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs text-foreground-muted">Definition</dt>
          <dd>
            {run.definitionHash ? (
              <>
                <Tooltip content={<span className="block max-w-72">{DEFINITION_HASH_TITLE}</span>}>
                  {/* Focusable so the explanation reaches keyboard users too; the hidden text gives it to screen readers. */}
                  <span
                    tabIndex={0}
                    data-testid="run-definition-hash"
                    title={DEFINITION_HASH_TITLE}
                    aria-describedby="run-definition-hash-help"
                    className="font-mono underline decoration-dotted underline-offset-4 focus-visible:outline-2 focus-visible:outline-focus"
                  >
                    {run.definitionHash.slice(0, 8)}
                  </span>
                </Tooltip>
                <span id="run-definition-hash-help" className="sr-only">
                  {DEFINITION_HASH_TITLE}
                </span>
              </>
            ) : (
              <span className="text-foreground-muted" title="Launched before definition hashes were recorded">
                —
              </span>
            )}
          </dd>
        </div>
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
