'use client';
/**
 * The sign-in form. A refused submit keeps what was typed (useActionForm); only when the server refuses the
 * credentials themselves is the password emptied, since it is then the value most likely to be wrong. The password
 * is never part of the action's returned state, so it cannot come back from the server.
 */
import { useEffect } from 'react';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { signInAction } from './actions';

export function LoginForm({ next }: { next: string }) {
  const { state, pending, formRef, formProps } = useActionForm(signInAction, idleState());
  const credentialsRefused = state.status === 'error' && Object.keys(state.errors).length === 0;

  useEffect(() => {
    const password = formRef.current?.elements.namedItem('password');
    if (credentialsRefused && password instanceof HTMLInputElement) password.value = '';
  }, [state, credentialsRefused, formRef]);

  return (
    <form {...formProps} className="flex flex-col gap-4" noValidate aria-label="Sign in">
      <input type="hidden" name="next" value={next} />
      <FormField label="Email" name="email" type="email" autoComplete="username" required errors={state.errors.email} />
      <FormField label="Password" name="password" type="password" autoComplete="current-password" required errors={state.errors.password} />
      <FormMessage status={state.status} message={state.message} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
