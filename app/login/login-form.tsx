'use client';
/**
 * The sign-in form. The email is kept in client state so a failed attempt does not clear it; the password is
 * never part of the action's returned state, so it cannot come back from the server.
 */
import { useActionState, useState } from 'react';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { signInAction } from './actions';

export function LoginForm({ next }: { next: string }) {
  const [state, formAction, pending] = useActionState(signInAction, idleState());
  const [email, setEmail] = useState('');
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <FormField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        errors={state.errors.email}
      />
      <FormField label="Password" name="password" type="password" autoComplete="current-password" required errors={state.errors.password} />
      <FormMessage status={state.status} message={state.message} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
