'use client';
/** The operator's review forms for a snapshot: each asks for a reason, keeps it when refused, and announces the outcome in place. */
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { discardSnapshotAction, makeDefaultViewAction, publishAnywayAction } from './actions';

type Action = typeof publishAnywayAction | typeof discardSnapshotAction | typeof makeDefaultViewAction;

function ReasonForm({ action, label, hidden, variant }: { action: Action; label: string; hidden: Record<string, string>; variant: 'primary' | 'secondary' | 'danger' }) {
  const { state, pending, formProps } = useActionForm(action, idleState());
  const id = `reason-${label.toLowerCase().replace(/\W+/g, '-')}`;
  const errors = 'reason' in state.errors ? state.errors.reason : undefined;
  return (
    <form {...formProps} className="flex flex-wrap items-end gap-2" aria-label={label}>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label htmlFor={id} className="flex w-full flex-col gap-1 text-sm sm:w-auto">
        <span className="text-foreground-muted">Reason</span>
        <input
          id={id}
          name="reason"
          required
          maxLength={500}
          aria-invalid={errors ? true : undefined}
          className="h-9 w-full rounded-control sm:w-72 border border-border-strong bg-surface px-2 text-sm"
        />
      </label>
      <Button type="submit" size="sm" variant={variant} disabled={pending}>
        {label}
      </Button>
      <span aria-live="polite" role="status" className={state.status === 'error' ? 'text-sm text-danger' : 'text-sm'}>
        {state.status === 'idle' ? '' : [state.message, ...(errors ?? [])].join(' ')}
      </span>
    </form>
  );
}

export function PublishAnywayForm({ taskId }: { taskId: string }) {
  return <ReasonForm action={publishAnywayAction} label="Publish anyway" hidden={{ taskId }} variant="primary" />;
}

export function DiscardSnapshotForm({ taskId }: { taskId: string }) {
  return <ReasonForm action={discardSnapshotAction} label="Discard" hidden={{ taskId }} variant="danger" />;
}

export function MakeDefaultViewForm({ snapshotId, taskId }: { snapshotId: number; taskId: string }) {
  return <ReasonForm action={makeDefaultViewAction} label="Make default view" hidden={{ snapshotId: String(snapshotId), taskId }} variant="secondary" />;
}
