'use client';
/** The forms on /admin/users: create a user, change a role, disable / enable. Each shows its own outcome and keeps its input when refused. */
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { ROLES, ROLE_DESCRIPTIONS, type Role } from '@/lib/auth/roles';
import { changeUserRoleAction, createUserAction, setUserDisabledAction } from './actions';

const selectClass =
  'h-10 w-full min-w-0 rounded-control border border-border-strong bg-surface px-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus';

export function CreateUserForm() {
  const { state, pending, formProps } = useActionForm(createUserAction, idleState(), { resetOnSuccess: true });
  return (
    <form {...formProps} className="grid grid-cols-1 gap-4 sm:grid-cols-2 [&>*]:min-w-0" noValidate aria-label="Create a user">
      <FormField label="Email" name="email" type="email" autoComplete="off" required errors={state.errors.email} />
      <FormField label="Name" name="name" autoComplete="off" errors={state.errors.name} />
      <FormField
        label="Initial password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters. Share it with the person over a safe channel."
        errors={state.errors.password}
      />
      <div className="flex flex-col gap-1.5">
        <label htmlFor="new-user-role" className="text-sm font-medium">
          Role
        </label>
        <select id="new-user-role" name="role" defaultValue="viewer" className={selectClass} aria-describedby="new-user-role-errors">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role} — {ROLE_DESCRIPTIONS[role]}
            </option>
          ))}
        </select>
        <div id="new-user-role-errors" aria-live="polite" className="text-sm text-danger">
          {state.errors.role?.map((message) => <p key={message}>{message}</p>)}
        </div>
      </div>
      <div className="flex flex-col gap-3 sm:col-span-2">
        <FormMessage status={state.status} message={state.message} />
        <div>
          <Button type="submit" disabled={pending} aria-busy={pending}>
            {pending ? 'Creating…' : 'Create user'}
          </Button>
        </div>
      </div>
    </form>
  );
}

export function RoleForm({ userId, email, role, disabled }: { userId: string; email: string; role: Role; disabled: boolean }) {
  const { state, pending, formProps } = useActionForm(changeUserRoleAction, idleState());
  return (
    <form {...formProps} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select id={`role-${userId}`} name="role" defaultValue={role} className={selectClass} disabled={disabled}>
        {ROLES.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <Button type="submit" variant="secondary" size="sm" disabled={pending || disabled}>
        Save role
      </Button>
      <span aria-live="polite" className={state.status === 'error' ? 'text-xs text-danger' : 'text-xs text-foreground-muted'}>
        {state.message}
      </span>
    </form>
  );
}

export function DisableForm({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const { state, pending, formProps } = useActionForm(setUserDisabledAction, idleState());
  return (
    <form {...formProps} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
      <Button type="submit" variant={disabled ? 'secondary' : 'danger'} size="sm" disabled={pending} aria-label={`${disabled ? 'Enable' : 'Disable'} ${email}`}>
        {disabled ? 'Enable' : 'Disable'}
      </Button>
      <span aria-live="polite" className={state.status === 'error' ? 'text-xs text-danger' : 'text-xs text-foreground-muted'}>
        {state.message}
      </span>
    </form>
  );
}
