'use client';
/** The buttons of /alerts: acknowledge an alert, resend a dead-letter message or event. Errors are announced in place. */
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
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

export function ResendMessageForm({ messageId, destination }: { messageId: number; destination: string }) {
  const { state, pending, formProps } = useActionForm(resendMessageAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="messageId" value={messageId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`Resend message ${messageId} to ${destination}`}>
        Resend
      </Button>
      <span aria-live="polite" className="text-xs">
        {state.status === 'idle' ? '' : state.message}
      </span>
    </form>
  );
}

export function ResendEventForm({ deliveryId, label }: { deliveryId: number; label: string }) {
  const { state, pending, formProps } = useActionForm(resendEventAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`Resend event ${label}`}>
        Resend
      </Button>
      <span aria-live="polite" className="text-xs">
        {state.status === 'idle' ? '' : state.message}
      </span>
    </form>
  );
}
