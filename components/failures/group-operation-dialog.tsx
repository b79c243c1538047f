'use client';
/**
 * Retry or resolve every failed step of one failure group behind a confirmation: on open it asks for the group's
 * preview — per run, the steps that will run again, the ones the engine would refuse, and how many are beyond the
 * per-request limit — then asks for a reason and only then runs the group operation (each step its own audited run
 * operation). The run page's single-run dialog (components/runs/operation-dialog.tsx) previews one flat step list;
 * a group's preview is per run, hence this sibling rather than a mode of that one.
 */
import Link from 'next/link';
import { useId, useState } from 'react';
import { ReasonField } from '@/components/forms/reason-field';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle, DialogTrigger } from '@/components/ui/dialog';
import type { FailureGroupKey, GroupOperationKind, GroupPreview } from '@/lib/console/failures';
import type { GroupOperations } from './group-operations';

const COPY: Record<GroupOperationKind, { label: string; confirm: string; field: string; heading: string; description: string }> = {
  retry: {
    label: 'Retry all',
    confirm: 'Retry all steps',
    field: 'Reason',
    heading: 'Per run, these steps will run again',
    description: 'Each failed step is retried as its own operation; your reason is recorded with your name in each run’s audit log.',
  },
  resolve: {
    label: 'Resolve all',
    confirm: 'Mark all as resolved',
    field: 'Note',
    heading: 'Per run, the step is marked done; these steps will then run',
    description: 'Each failed step is marked done by hand as its own operation; say what was done — the note is recorded with your name in each run’s audit log.',
  },
};

type Preview = { state: 'loading' } | { state: 'ready'; preview: GroupPreview } | { state: 'refused'; message: string };

const shortRun = (run: string) => run.slice(0, 8);

/** The schema names the field `reason`; the person sees it labelled Reason or Note. */
function withLabel(message: string, label: string): string {
  return message.replace(/^reason\b/i, label);
}

interface GroupOperationDialogProps {
  kind: GroupOperationKind;
  group: FailureGroupKey;
  operations: GroupOperations;
  onDone(message: string): void;
}

export function GroupOperationDialog({ kind, group, operations, onDone }: GroupOperationDialogProps) {
  const copy = COPY[kind];
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<Preview>({ state: 'loading' });
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const groupName = `${group.step} (${group.error_class}) in ${group.pipeline}`;

  const loadPreview = async () => {
    setPreview({ state: 'loading' });
    try {
      const answer = await operations.preview({ ...group, kind });
      setPreview(answer.status === 'success' && answer.result ? { state: 'ready', preview: answer.result } : { state: 'refused', message: answer.message });
    } catch (failure) {
      setPreview({ state: 'refused', message: failure instanceof Error ? failure.message : 'The preview failed.' });
    }
  };

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      const outcome = await operations.run({ ...group, kind, reason });
      if (outcome.status !== 'success') {
        // The fields' own messages say what to fix, named as the dialog labels them.
        const fieldMessages = Object.values(outcome.errors).flat().map((message) => withLabel(message ?? '', copy.field));
        setError(fieldMessages.length > 0 ? fieldMessages.join(' ') : outcome.message);
        return;
      }
      setOpen(false);
      setReason('');
      onDone(outcome.message);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The operation failed.');
    } finally {
      setPending(false);
    }
  };

  const ready = preview.state === 'ready' ? preview.preview : null;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (pending) return;
        setOpen(next);
        setError(null);
        if (next) void loadPreview();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`${copy.label}: ${groupName}`}>
          {copy.label}
        </Button>
      </DialogTrigger>
      <DialogContent role="alertdialog" className="max-w-xl" data-testid="group-operation-dialog">
        <DialogTitle>
          {copy.label}: {group.step} <span className="font-mono text-base font-medium">({group.error_class})</span>
        </DialogTitle>
        <DialogDescription>
          {group.pipeline}. {copy.description}
        </DialogDescription>
        <section aria-labelledby={`${id}-preview`} aria-busy={preview.state === 'loading'} className="mt-4 rounded-control border border-border bg-surface-muted p-3">
          <h3 id={`${id}-preview`} className="text-sm font-semibold">
            {copy.heading}
          </h3>
          {preview.state === 'loading' && <p className="mt-2 text-sm text-foreground-muted">Asking the engine…</p>}
          {preview.state === 'refused' && (
            <p role="alert" className="mt-2 text-sm text-status-failed">
              {preview.message}
            </p>
          )}
          {ready && (
            <>
              {ready.planned.length === 0 ? (
                <p className="mt-2 text-sm text-foreground-muted">No step of this group can be {kind === 'retry' ? 'retried' : 'resolved'} now.</p>
              ) : (
                <ul data-testid="group-preview" className="mt-2 flex max-h-64 flex-col gap-2 overflow-y-auto">
                  {ready.planned.map((item) => (
                    <li key={`${item.run}:${item.step}`} data-run-id={item.run} className="text-sm">
                      <Link href={`/runs/${item.run}`} className="font-mono underline underline-offset-2 hover:text-accent">
                        Run {shortRun(item.run)}
                      </Link>{' '}
                      <span className="font-mono text-xs">{item.step}</span>
                      {item.steps.length === 0 ? (
                        <span className="block text-xs text-foreground-muted">No other step needs to run.</span>
                      ) : (
                        <ul aria-label={`Steps of run ${shortRun(item.run)}`} className="mt-1 flex flex-wrap gap-1.5">
                          {item.steps.map((name) => (
                            <li key={name} className="rounded-full border border-border-strong bg-surface px-2 py-0.5 font-mono text-xs break-all">
                              {name}
                            </li>
                          ))}
                        </ul>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {ready.refused.length > 0 && (
                <div className="mt-3">
                  <h4 className="text-sm font-semibold">The engine would refuse these</h4>
                  <ul data-testid="group-preview-refused" className="mt-1 flex flex-col gap-1 text-sm">
                    {ready.refused.map((item) => (
                      <li key={`${item.run}:${item.step}`}>
                        <Link href={`/runs/${item.run}`} className="font-mono underline underline-offset-2 hover:text-accent">
                          Run {shortRun(item.run)}
                        </Link>{' '}
                        <span className="font-mono text-xs">{item.step}</span>: {item.message}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {ready.remaining > 0 && (
                <p data-testid="group-preview-remaining" className="mt-3 text-sm">
                  {ready.remaining} more failed step{ready.remaining === 1 ? ' is' : 's are'} beyond this operation’s limit: run it again for them.
                </p>
              )}
            </>
          )}
        </section>
        <ReasonField id={`${id}-reason`} label={copy.field} value={reason} onChange={setReason} error={error} />
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <DialogClose asChild>
            <Button variant="secondary" disabled={pending}>
              Close
            </Button>
          </DialogClose>
          <Button onClick={() => void confirm()} disabled={pending || !ready || ready.planned.length === 0} aria-busy={pending}>
            {pending ? 'Working…' : copy.confirm}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}
