'use client';
/**
 * useActionState for a <form> that keeps what the person typed. React resets an uncontrolled form once its
 * `action` prop has run, so a refused submit would come back showing the defaults instead of the input that
 * needs fixing. Submitting from onSubmit inside a transition runs the same action without that reset; the form
 * still names the action, so without JavaScript it posts to the server as before.
 */
import { startTransition, useActionState, useEffect, useRef, type FormEvent } from 'react';
import type { ActionState } from '@/lib/auth/action-state';

export interface ActionFormOptions {
  /** Clear the fields after a success (a "create" form ready for the next entry); edit forms keep the saved values. */
  resetOnSuccess?: boolean;
}

export function useActionForm<TFields extends string, TResult>(
  action: (state: ActionState<TFields, TResult>, payload: FormData) => Promise<ActionState<TFields, TResult>>,
  initialState: ActionState<TFields, TResult>,
  options: ActionFormOptions = {},
) {
  const [state, dispatch, pending] = useActionState<ActionState<TFields, TResult>, FormData>(action, initialState);
  const formRef = useRef<HTMLFormElement>(null);
  const { resetOnSuccess = false } = options;

  useEffect(() => {
    if (resetOnSuccess && state.status === 'success') formRef.current?.reset();
  }, [state, resetOnSuccess]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = event.nativeEvent instanceof SubmitEvent ? event.nativeEvent.submitter : null;
    const payload = new FormData(event.currentTarget, submitter);
    startTransition(() => dispatch(payload));
  };

  return { state, pending, formRef, formProps: { ref: formRef, action: dispatch, onSubmit } };
}
