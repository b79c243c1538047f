'use client';
/** Cancel and retry-failed of a whole backfill (operator): each asks for a reason; the outcome is announced. */
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState, type ActionState } from '@/lib/auth/action-state';

type OperationState = ActionState<'backfillId' | 'reason'>;
type OperationAction = (state: OperationState, payload: FormData) => Promise<OperationState>;

function OperationForm({ backfillId, action, label, name, variant }: { backfillId: string; action: OperationAction; label: string; name: string; variant: 'primary' | 'secondary' | 'danger' }) {
  const { state, pending, formProps } = useActionForm(action, idleState<'backfillId' | 'reason'>(), { resetOnSuccess: true });
  return (
    <form {...formProps} noValidate aria-label={label} className="flex flex-col gap-2 sm:flex-row sm:items-start">
      <input type="hidden" name="backfillId" value={backfillId} />
      <FormField label={`Reason to ${label.toLowerCase()}`} id={`${name}-reason`} name="reason" required errors={state.errors.reason} className="flex min-w-0 flex-1 flex-col gap-1.5" />
      <div className="sm:pt-7">
        <Button type="submit" variant={variant} disabled={pending} aria-busy={pending}>
          {label}
        </Button>
      </div>
      <div className="sm:basis-full">
        <FormMessage status={state.status} message={state.message} />
      </div>
    </form>
  );
}

export function BackfillOperations({ backfillId, cancel, retry }: { backfillId: string; cancel: OperationAction; retry: OperationAction }) {
  return (
    <div className="flex flex-col gap-4">
      <OperationForm backfillId={backfillId} action={retry} label="Retry failed days" name="retry" variant="secondary" />
      <OperationForm backfillId={backfillId} action={cancel} label="Cancel backfill" name="cancel" variant="danger" />
    </div>
  );
}
