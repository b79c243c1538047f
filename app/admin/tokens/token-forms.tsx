'use client';
/** Create an API token (shown once, with a copy button) and revoke one. */
import { useState } from 'react';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { ROLES, ROLE_DESCRIPTIONS } from '@/lib/auth/roles';
import { createApiTokenAction, revokeApiTokenAction } from './actions';

export function CreateTokenForm() {
  const { state, pending, formProps } = useActionForm(createApiTokenAction, idleState<'name' | 'role', { token: string; name: string }>(), { resetOnSuccess: true });
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex flex-col gap-4">
      <form {...formProps} className="flex flex-wrap items-end gap-4" noValidate aria-label="Create an API token">
        <FormField label="Name" name="name" autoComplete="off" required hint="What uses it, e.g. “nightly-cron”." errors={state.errors.name} />
        <div className="flex min-w-0 max-w-full flex-col gap-1.5">
          <label htmlFor="token-role" className="text-sm font-medium">
            Role
          </label>
          <select
            id="token-role"
            name="role"
            defaultValue="operator"
            className="h-10 w-full min-w-0 rounded-control border border-border-strong bg-surface px-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus"
          >
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role} — {ROLE_DESCRIPTIONS[role]}
              </option>
            ))}
          </select>
          <div aria-live="polite" className="text-sm text-danger">
            {state.errors.role?.map((message) => <p key={message}>{message}</p>)}
          </div>
        </div>
        <Button type="submit" disabled={pending} aria-busy={pending} onClick={() => setCopied(false)}>
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
      <FormMessage status={state.status} message={state.message} />
      {state.status === 'success' && state.result && (
        <div className="flex flex-wrap items-center gap-2 rounded-control border border-border-strong bg-surface-muted p-3">
          <code data-testid="new-api-token" className="break-all font-mono text-sm">
            {state.result.token}
          </code>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => {
              const token = state.result?.token;
              if (token) void navigator.clipboard.writeText(token).then(() => setCopied(true));
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
      )}
    </div>
  );
}

export function RevokeTokenForm({ tokenId, name }: { tokenId: string; name: string }) {
  const { state, pending, formProps } = useActionForm(revokeApiTokenAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="tokenId" value={tokenId} />
      <Button type="submit" variant="danger" size="sm" disabled={pending} aria-label={`Revoke token ${name}`}>
        Revoke
      </Button>
      <span aria-live="polite" className="text-xs text-danger">
        {state.status === 'error' ? state.message : ''}
      </span>
    </form>
  );
}
