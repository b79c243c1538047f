'use client';
/**
 * One operator operation behind a confirmation: on open it asks the engine for the preview (exactly which steps
 * will run again, or be cancelled), asks for a reason (resolve: a note), and only then runs it. Completing a step
 * by hand also asks for its result as JSON, prefilled with the step's last successful result, its schema beside it.
 */
import { useId, useState } from 'react';
import { ReasonField } from '@/components/forms/reason-field';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle, DialogTrigger } from '@/components/ui/dialog';
import { OPERATION_COPY, type OperationKind } from '@/lib/console/operation-kinds';
import type { RunOperations } from './run-operations';

interface OperationDialogProps {
  kind: OperationKind;
  taskId: string;
  stepName?: string;
  operations: RunOperations;
  onDone(message: string): void;
  size?: 'sm' | 'md';
}

type Preview = { state: 'loading' } | { state: 'ready'; steps: string[] } | { state: 'refused'; message: string };

export function OperationDialog({ kind, taskId, stepName, operations, onDone, size = 'sm' }: OperationDialogProps) {
  const copy = OPERATION_COPY[kind];
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<Preview>({ state: 'loading' });
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState('');
  const [schema, setSchema] = useState<string | null>(null);
  const reasonId = useId();
  const resultId = useId();
  const wantsResult = kind === 'complete_step';
  const title = stepName ? `${copy.label}: ${stepName}` : copy.label;

  const loadTemplate = async () => {
    if (!wantsResult || !stepName) return;
    try {
      const template = await operations.resultTemplate({ taskId, stepName });
      if (template.status !== 'success' || !template.result) return;
      setSchema(template.result.schema);
      // What the operator already typed wins over the example.
      setResult((typed) => (typed.trim() === '' ? (template.result?.example ?? '{}') : typed));
    } catch {
      // Without a template the operator types the result from scratch.
    }
  };

  const loadPreview = async () => {
    setPreview({ state: 'loading' });
    try {
      const result = await operations.preview({ kind, taskId, stepName });
      setPreview(result.status === 'success' ? { state: 'ready', steps: result.result ?? [] } : { state: 'refused', message: result.message });
    } catch (failure) {
      setPreview({ state: 'refused', message: failure instanceof Error ? failure.message : 'The preview failed.' });
    }
  };

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      const outcome = await operations.run({ kind, taskId, stepName, reason, result: wantsResult ? result : undefined });
      if (outcome.status !== 'success') {
        // The fields' own messages say what to fix, without the generic form summary.
        const fieldMessages = Object.values(outcome.errors).flat();
        setError(fieldMessages.length > 0 ? fieldMessages.join(' ') : outcome.message);
        return;
      }
      setOpen(false);
      setReason('');
      setResult('');
      onDone(outcome.message);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The operation failed.');
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (pending) return;
        setOpen(next);
        setError(null);
        if (next) {
          void loadPreview();
          void loadTemplate();
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant={copy.tone === 'danger' ? 'danger' : 'secondary'} size={size}>
          {copy.label}
        </Button>
      </DialogTrigger>
      <DialogContent role="alertdialog" className="max-w-lg" data-testid="operation-dialog">
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>
          {copy.noteRequired ? 'Say what was done by hand; the note is recorded with your name in the audit log.' : 'Your reason is recorded with your name in the audit log.'}
        </DialogDescription>
        <section aria-labelledby={`${reasonId}-preview`} className="mt-4 rounded-control border border-border bg-surface-muted p-3" aria-busy={preview.state === 'loading'}>
          <h3 id={`${reasonId}-preview`} className="text-sm font-semibold">
            {copy.previewHeading}
          </h3>
          {preview.state === 'loading' && <p className="mt-2 text-sm text-foreground-muted">Asking the engine…</p>}
          {preview.state === 'refused' && (
            <p role="alert" className="mt-2 text-sm text-status-failed">
              {preview.message}
            </p>
          )}
          {preview.state === 'ready' &&
            (preview.steps.length === 0 ? (
              <p className="mt-2 text-sm text-foreground-muted">{copy.emptyPreview}</p>
            ) : (
              <ul data-testid="operation-preview" className="mt-2 flex flex-wrap gap-1.5">
                {preview.steps.map((name) => (
                  <li key={name} className="rounded-full border border-border-strong bg-surface px-2 py-0.5 font-mono text-xs">
                    {name}
                  </li>
                ))}
              </ul>
            ))}
        </section>
        {wantsResult && (
          <div className="mt-4 flex flex-col gap-1.5">
            <label htmlFor={resultId} className="text-sm font-medium">
              Result (JSON, required)
            </label>
            <textarea
              id={resultId}
              value={result}
              onChange={(event) => setResult(event.target.value)}
              rows={8}
              required
              spellCheck={false}
              aria-describedby={`${resultId}-hint ${reasonId}-error`}
              className="max-h-64 rounded-control border border-border-strong bg-surface px-3 py-2 font-mono text-xs text-foreground focus-visible:outline-2 focus-visible:outline-focus"
            />
            <p id={`${resultId}-hint`} className="text-xs text-foreground-muted">
              Prefilled with this step’s result from its last successful run. Dependents run with what you enter.
            </p>
            {schema && (
              <details className="text-xs">
                <summary className="cursor-pointer font-medium">Result schema</summary>
                <pre className="mt-1 max-h-48 overflow-auto rounded-control bg-surface-muted p-2" data-testid="result-schema" tabIndex={0}>
                  {schema}
                </pre>
              </details>
            )}
          </div>
        )}
        <ReasonField id={reasonId} label={copy.noteRequired ? 'Note' : 'Reason'} value={reason} onChange={setReason} error={error} />
        <div className="mt-6 flex justify-end gap-2">
          <DialogClose asChild>
            <Button variant="secondary" disabled={pending}>
              {copy.dismissLabel}
            </Button>
          </DialogClose>
          <Button
            variant={copy.tone}
            onClick={() => void confirm()}
            disabled={pending || preview.state !== 'ready'}
            aria-busy={pending}
          >
            {pending ? 'Working…' : copy.confirmLabel}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}
