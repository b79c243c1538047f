'use client';
/** The buttons of /alerts: acknowledge an alert, resend a dead-letter message or event. Errors are announced in place. */
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState, type ActionState } from '@/lib/auth/action-state';
import { acknowledgeAlertAction, resendEventAction, resendMessageAction } from './actions';

export function AcknowledgeAlertForm({ alertId, title }: { alertId: number; title: string }) {
  const { state, pending, formProps } = useActionForm(acknowledgeAlertAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="alertId" value={alertId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`Acknowledge: ${title}`}>
        Acknowledge
      </Button>
      <span aria-live="polite" className="text-xs text-danger">
        {state.status === 'error' ? state.message : ''}
      </span>
    </form>
  );
}

/** A Resend button for one dead letter: `field` names the hidden input the action reads the id from. */
function ResendForm<F extends string>({ action, field, id, label }: { action: (state: ActionState<F>, payload: FormData) => Promise<ActionState<F>>; field: F; id: number; label: string }) {
  const { state, pending, formProps } = useActionForm(action, idleState<F>());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name={field} value={id} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={label}>
        Resend
      </Button>
      <span aria-live="polite" className="text-xs">
        {state.status === 'idle' ? '' : state.message}
      </span>
    </form>
  );
}

export function ResendMessageForm({ messageId, destination }: { messageId: number; destination: string }) {
  return <ResendForm action={resendMessageAction} field="messageId" id={messageId} label={`Resend message ${messageId} to ${destination}`} />;
}

export function ResendEventForm({ deliveryId, label }: { deliveryId: number; label: string }) {
  return <ResendForm action={resendEventAction} field="deliveryId" id={deliveryId} label={`Resend event ${label}`} />;
}
