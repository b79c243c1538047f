'use client';
/** Pause / resume button of one schedule; the outcome is announced in place. */
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { setSchedulePausedAction } from './actions';

export function PauseScheduleForm({ scheduleId, name, paused }: { scheduleId: string; name: string; paused: boolean }) {
  const { state, pending, formProps } = useActionForm(setSchedulePausedAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="scheduleId" value={scheduleId} />
      <input type="hidden" name="paused" value={paused ? 'false' : 'true'} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`${paused ? 'Resume' : 'Pause'} schedule ${name}`}>
        {paused ? 'Resume' : 'Pause'}
      </Button>
      <span aria-live="polite" className="text-xs">
        {state.status === 'error' ? state.message : ''}
      </span>
    </form>
  );
}
