/** A labelled input with its error messages announced politely (aria-live) and tied to it by aria-describedby. */
import type { ComponentPropsWithRef } from 'react';

export interface FormFieldProps extends ComponentPropsWithRef<'input'> {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
}

export function FormField({ label, name, errors, hint, id, className, ...props }: FormFieldProps) {
  const inputId = id ?? `field-${name}`;
  const errorId = `${inputId}-errors`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const invalid = Boolean(errors && errors.length > 0);
  return (
    <div className={className ?? 'flex flex-col gap-1.5'}>
      <label htmlFor={inputId} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
        className="h-10 rounded-control border border-border-strong bg-surface px-3 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus aria-invalid:border-danger"
        {...props}
      />
      {hint && (
        <p id={hintId} className="text-xs text-foreground-muted">
          {hint}
        </p>
      )}
      <div id={errorId} aria-live="polite" className="text-sm text-danger">
        {errors?.map((message) => <p key={message}>{message}</p>)}
      </div>
    </div>
  );
}

/** The form-level message (success or refusal), announced to screen readers. */
export function FormMessage({ status, message }: { status: 'idle' | 'success' | 'error'; message: string }) {
  return (
    <div aria-live="polite" role={status === 'error' ? 'alert' : 'status'}>
      {message && (
        <p
          className={
            status === 'error'
              ? 'rounded-control bg-status-failed-tint px-3 py-2 text-sm text-status-failed'
              : 'rounded-control bg-status-completed-tint px-3 py-2 text-sm text-status-completed'
          }
        >
          {message}
        </p>
      )}
    </div>
  );
}
