'use client';
/**
 * The /failures table, with the group operations bound to their server actions for operators (viewers get the
 * table alone, and the server refuses them anyway). The result of an operation is announced above the table, which
 * outlives the rows: a retried group leaves the list once the page is revalidated.
 */
import Link from 'next/link';
import { useState } from 'react';
import { GroupOperationDialog } from '@/components/failures/group-operation-dialog';
import type { GroupOperations } from '@/components/failures/group-operations';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { idleState } from '@/lib/auth/action-state';
import type { FailureGroup, FailureGroupKey } from '@/lib/console/failures';
import { failureGroupPath } from '@/lib/http/console-links';
import { formatTimestamp } from '@/lib/time/format';
import { previewGroupOperationAction, runGroupOperationAction } from './actions';

const operations: GroupOperations = {
  preview: (request) => previewGroupOperationAction(idleState(), request),
  run: (request) => runGroupOperationAction(idleState(), request),
};

/** How many of a group's runs are linked one by one; the runs list link covers the rest. */
const RUN_LINKS = 3;
const linkClass = 'underline underline-offset-2 hover:text-accent';
/** The runs list's own formats (lib/console/run-filters.ts): a link it would refuse is left out. */
const RUNS_LIST_PIPELINE = /^[a-z0-9_]+\/[a-z0-9_]+$/;
const RUNS_LIST_ERROR = /^[\w$.:-]{1,200}$/;

function runsListHref(group: FailureGroup): string | null {
  if (!RUNS_LIST_PIPELINE.test(group.pipeline) || !RUNS_LIST_ERROR.test(group.errorClass)) return null;
  // The runs list names a pipeline namespace.name; failures name it namespace/name.
  return `/runs?${new URLSearchParams({ error: group.errorClass, pipeline: group.pipeline.replace('/', '.') }).toString()}`;
}

const keyOf = (group: FailureGroup): FailureGroupKey => ({ pipeline: group.pipeline, step: group.step, error_class: group.errorClass });

/** `empty` is what the page says when no group is listed. */
export function FailureGroups({ groups, canOperate, empty }: { groups: FailureGroup[]; canOperate: boolean; empty: string }) {
  const [message, setMessage] = useState('');
  return (
    <div className="flex flex-col gap-3">
      <p role="status" aria-live="polite" data-testid="failures-message" className="text-sm empty:hidden">
        {message}
      </p>
      {groups.length === 0 && (
        <p className="text-sm text-foreground-muted" data-testid="failures-empty">
          {empty}
        </p>
      )}
      {groups.length > 0 && (
        <Table label="Failure groups" data-testid="failure-groups">
          <TableHeader>
            <TableRow>
              <TableHead>Pipeline</TableHead>
              <TableHead>Step</TableHead>
              <TableHead>Error class</TableHead>
              <TableHead>Failed steps</TableHead>
              <TableHead>Runs</TableHead>
              <TableHead>First seen</TableHead>
              <TableHead>Last seen</TableHead>
              <TableHead>Sample message</TableHead>
              <TableHead>Runs affected</TableHead>
              {canOperate && <TableHead>Actions</TableHead>}
            </TableRow>
          </TableHeader>
          <TableBody>
            {groups.map((group) => {
              const runsHref = runsListHref(group);
              return (
                <TableRow
                  key={`${group.pipeline} ${group.step} ${group.errorClass}`}
                  data-testid="failure-group"
                  data-pipeline={group.pipeline}
                  data-step={group.step}
                  data-error-class={group.errorClass}
                >
                  <TableCell className="font-mono text-xs">{group.pipeline}</TableCell>
                  <TableCell className="font-mono text-xs">
                    <Link className={linkClass} href={failureGroupPath({ pipeline: group.pipeline, step: group.step, errorClass: group.errorClass })}>
                      {group.step}
                    </Link>
                  </TableCell>
                  <TableCell className="font-mono text-xs">{group.errorClass}</TableCell>
                  <TableCell className="tabular-nums" data-testid="failed-steps">{group.failedSteps}</TableCell>
                  <TableCell className="tabular-nums" data-testid="failed-runs">{group.runs}</TableCell>
                  <TableCell className="text-xs whitespace-nowrap tabular-nums">{formatTimestamp(group.firstSeen)}</TableCell>
                  <TableCell className="text-xs whitespace-nowrap tabular-nums">{formatTimestamp(group.lastSeen)}</TableCell>
                  <TableCell className="max-w-xs text-xs break-words" data-testid="sample-message">{group.sampleMessage || '—'}</TableCell>
                  <TableCell className="text-xs">
                    <ul className="flex flex-col gap-0.5">
                      {group.runIds.slice(0, RUN_LINKS).map((run) => (
                        <li key={run}>
                          <Link className={`${linkClass} font-mono`} href={`/runs/${run}`}>
                            {run.slice(0, 8)}
                          </Link>
                        </li>
                      ))}
                      {runsHref && (
                        <li>
                          <Link className={`${linkClass} whitespace-nowrap`} href={runsHref}>
                            Runs with {group.errorClass}
                          </Link>
                        </li>
                      )}
                    </ul>
                  </TableCell>
                  {canOperate && (
                    <TableCell>
                      <div className="flex gap-2">
                        <GroupOperationDialog kind="retry" group={keyOf(group)} operations={operations} onDone={setMessage} />
                        <GroupOperationDialog kind="resolve" group={keyOf(group)} operations={operations} onDone={setMessage} />
                      </div>
                    </TableCell>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
