'use client';
/**
 * The step drawer's attempt logs: every attempt of the step, newest first, each with what it logged (ctx.logger,
 * its progress messages, and on failure the error with its causes), fetched when the drawer opens and refetched on
 * the run's live messages — a running attempt's lines arrive about once a second.
 */
import { useQuery } from '@tanstack/react-query';
import { ScrollRegion } from '@/components/ui/scroll-region';
import { useLiveRefetchInterval } from '@/components/live/live-updates';
import { runQueries } from '@/lib/query-keys';
import { formatTimestamp } from '@/lib/time/format';

const LEVEL_CLASS: Record<string, string> = { error: 'text-status-failed', warn: 'text-status-retrying', info: '', debug: 'text-foreground-muted' };

export function AttemptLogs({ taskId, stepName }: { taskId: string; stepName: string }) {
  const refetchInterval = useLiveRefetchInterval();
  const query = useQuery({ ...runQueries.stepLogs(taskId, stepName), refetchInterval });
  if (query.isPending) return <p className="text-sm text-foreground-muted">Loading the attempts&rsquo; logs…</p>;
  if (query.isError) return <p className="text-sm text-status-failed">The logs could not be loaded: {query.error.message}</p>;
  const attempts = query.data;
  return (
    <ol className="flex flex-col gap-2" data-testid="attempt-logs">
      {attempts.map((attempt, index) => (
        <li key={attempt.attemptNumber} data-attempt={attempt.attemptNumber}>
          <details open={index === 0} className="rounded-control border border-border p-2 text-sm">
            <summary className="cursor-pointer">
              Attempt #{attempt.attemptNumber} · {attempt.outcome ?? 'running'} · {attempt.lines.length} {attempt.lines.length === 1 ? 'line' : 'lines'}
            </summary>
            {attempt.lines.length === 0 ? (
              <p className="mt-1 text-xs text-foreground-muted">Nothing logged.</p>
            ) : (
              <ScrollRegion label={`Log of attempt ${attempt.attemptNumber}`} className="mt-1 max-h-64 rounded-control bg-surface-muted p-2">
                <ol className="flex flex-col gap-0.5 font-mono text-xs">
                  {attempt.lines.map((line) => (
                    <li key={line.line} className={`flex gap-2 ${LEVEL_CLASS[line.level] ?? ''}`} data-level={line.level}>
                      <span className="shrink-0 tabular-nums text-foreground-muted">{formatTimestamp(line.at).slice(11)}</span>
                      <span className="shrink-0 uppercase">{line.level}</span>
                      <span className="break-all">
                        {line.message}
                        {line.fields ? ` ${JSON.stringify(line.fields)}` : ''}
                      </span>
                    </li>
                  ))}
                </ol>
              </ScrollRegion>
            )}
          </details>
        </li>
      ))}
    </ol>
  );
}
