/**
 * The three server-side checks every page, route handler and server action uses. Hiding a button is not
 * protection: each entry point calls one of these itself (lib/auth/access-control.test.ts proves it for all).
 *
 * - `requirePageRole(role)` — server components: anonymous → redirect to /login?next=…, too low → 403 page.
 * - `withRole(role, handler)` — route handlers: anonymous → 401 JSON, too low → 403 JSON, and a cookie-
 *   authenticated state change not from this site → 403 (bearer clients are not browsers: no check).
 * - `authorizedAction(role, schema, fn)` — server actions: same-origin first (403), then the same role rules as
 *   pages, then zod validation that reports every issue as `{ errors, message }` for useActionState.
 *
 * "From this site" is one rule (request-info.ts `isSameOrigin`), also applied by proxy.ts before Next's own
 * action handling, which would answer a cross-site action with a 500 and let one without Origin through.
 * Every private answer is `Cache-Control: no-store` unless the handler chose otherwise.
 */
import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import type { z } from 'zod';
import type { ActionOutcome, ActionState, FieldErrors } from './action-state';
import { UserFacingError } from './errors';
import { getPrincipal, type Principal } from './principal';
import { currentPrincipal, currentRequestInfo, loginPath } from './request-context';
import { CROSS_SITE_MESSAGE, isSameOrigin, isStateChanging } from './request-info';
import { hasRole, type Role } from './roles';

export async function requirePageRole(role: Role): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect(loginPath((await currentRequestInfo()).path));
  if (!hasRole(principal.role, role)) forbidden();
  return principal;
}

function jsonError(status: number, error: string, headers?: HeadersInit): Response {
  return Response.json({ error }, { status, headers });
}

export function withRole<TContext = unknown>(
  role: Role,
  handler: (request: Request, context: TContext, principal: Principal) => Response | Promise<Response>,
): (request: Request, context: TContext) => Promise<Response> {
  return async (request, context) => {
    const principal = await getPrincipal(request);
    if (!principal) {
      return jsonError(401, 'Authentication required: sign in, or send Authorization: Bearer <API token>.', {
        'WWW-Authenticate': 'Bearer realm="nightshift"',
      });
    }
    if (principal.kind === 'session' && isStateChanging(request.method) && !isSameOrigin(request.headers, request.url)) {
      return privateAnswer(jsonError(403, CROSS_SITE_MESSAGE));
    }
    if (!hasRole(principal.role, role)) {
      return privateAnswer(jsonError(403, `Forbidden: this needs the ${role} role; you have ${principal.role}.`));
    }
    try {
      return privateAnswer(await handler(request, context, principal));
    } catch (error) {
      if (error instanceof UserFacingError) {
        return privateAnswer(error.issues.length > 0 ? Response.json({ error: error.message, issues: error.issues }, { status: error.status }) : jsonError(error.status, error.message));
      }
      throw error;
    }
  };
}

/** What a signed-in user or token reads must not be kept by a browser or shared cache. */
function privateAnswer(response: Response): Response {
  if (response.headers.has('cache-control')) return response;
  try {
    response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch {
    // Headers of a redirect or a fetched response are immutable: copy them into a new response.
    const copied = new Headers(response.headers);
    copied.set('Cache-Control', 'no-store');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: copied });
  }
}

/** Server actions: refuses (403) a call that does not come from this site, whatever its credentials. */
export async function requireSameOriginAction(): Promise<void> {
  if (!isSameOrigin(await headers())) forbidden();
}

type FieldsOf<S extends z.ZodType> = Extract<keyof z.input<S>, string>;

/** FormData → plain object for zod: a repeated field becomes an array; files are left out. */
function formDataToObject(formData: FormData): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(formData.keys())) {
    const values = formData.getAll(key).filter((value): value is string => typeof value === 'string');
    result[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return result;
}

async function runValidated<S extends z.ZodType, R>(
  schema: S,
  payload: FormData | z.input<S>,
  fn: (input: z.output<S>) => Promise<ActionOutcome<R>>,
): Promise<ActionState<FieldsOf<S>, R>> {
  const parsed = schema.safeParse(payload instanceof FormData ? formDataToObject(payload) : payload);
  if (!parsed.success) {
    const errors: FieldErrors<FieldsOf<S>> = {};
    const general: string[] = [];
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string') {
        const key = field as FieldsOf<S>;
        errors[key] = [...(errors[key] ?? []), issue.message];
      } else {
        general.push(issue.message);
      }
    }
    return { status: 'error', message: ['Please correct the highlighted fields.', ...general].join(' '), errors };
  }
  try {
    const outcome = await fn(parsed.data);
    return { status: 'success', message: outcome.message, errors: {}, result: outcome.result };
  } catch (error) {
    if (error instanceof UserFacingError) return { status: 'error', message: error.message, errors: {} };
    throw error;
  }
}

/**
 * A server action for signed-in users with at least `role`. Use as
 * `export const createThing = authorizedAction('operator', schema, async (input, principal) => ({ message }))`
 * in a 'use server' file; `redirect()` / `revalidatePath()` inside `fn` work as usual.
 */
export function authorizedAction<S extends z.ZodType, R = undefined>(
  role: Role,
  schema: S,
  fn: (input: z.output<S>, principal: Principal) => Promise<ActionOutcome<R>>,
): (previous: ActionState<FieldsOf<S>, R>, payload: FormData | z.input<S>) => Promise<ActionState<FieldsOf<S>, R>> {
  return async (_previous, payload) => {
    await requireSameOriginAction();
    const principal = await currentPrincipal();
    if (!principal) redirect(loginPath((await currentRequestInfo()).path));
    if (!hasRole(principal.role, role)) forbidden();
    return runValidated(schema, payload, (input) => fn(input, principal));
  };
}

/** A server action open to everyone (sign-in): validation and error reporting as `authorizedAction`. */
export function publicAction<S extends z.ZodType, R = undefined>(
  schema: S,
  fn: (input: z.output<S>) => Promise<ActionOutcome<R>>,
): (previous: ActionState<FieldsOf<S>, R>, payload: FormData | z.input<S>) => Promise<ActionState<FieldsOf<S>, R>> {
  return async (_previous, payload) => {
    // Sign-in too: a cross-site form must not be able to sign a browser into someone else's account.
    await requireSameOriginAction();
    return runValidated(schema, payload, fn);
  };
}
