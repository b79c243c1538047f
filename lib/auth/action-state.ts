/**
 * The state a server action hands back to a `useActionState` form. Plain data, safe to import from client
 * components. Field errors list EVERY problem with a field, not just the first.
 */
export type FieldErrors<TFields extends string = string> = Partial<Record<TFields, string[]>>;

export interface ActionState<TFields extends string = string, TResult = undefined> {
  status: 'idle' | 'success' | 'error';
  message: string;
  errors: FieldErrors<TFields>;
  /** What a successful action wants to show once (e.g. a new API token); never a password. */
  result?: TResult;
}

export function idleState<TFields extends string = string, TResult = undefined>(): ActionState<TFields, TResult> {
  return { status: 'idle', message: '', errors: {} };
}

/** What an action's body returns on success; refusals are thrown as UserFacingError. */
export interface ActionOutcome<TResult = undefined> {
  message: string;
  result?: TResult;
}
