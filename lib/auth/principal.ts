/**
 * `getPrincipal`: who is making this request — from `Authorization: Bearer` (API tokens, API_TOKEN) or the
 * session cookie. A request that presents a bearer credential is judged on it alone: a bad token does not fall
 * back to a cookie that happens to ride along.
 */
import type { Database } from '@/db/client';
import { getDb } from '@/lib/database';
import { env } from '@/lib/env';
import { resolveApiToken } from './api-tokens';
import { SESSION_COOKIE, sessionCookieName } from './constants';
import type { Principal } from './principal-types';
import { isSecureRequest, readBearerToken, readCookie } from './request-info';
import { secretsMatch } from './secrets';
import { hasRole, type Role } from './roles';
import { resolveSession } from './sessions';

export type { Principal } from './principal-types';

export { SESSION_COOKIE };

export interface CookieReader {
  get(name: string): { value: string } | undefined;
}

/** A web Request (route handlers), or the headers and cookies next/headers gives components and actions. */
export type PrincipalSource = Request | { headers: Headers; cookies: CookieReader };

export const ENV_TOKEN_LABEL = 'token:API_TOKEN';

async function principalFromBearer(db: Database, token: string): Promise<Principal | null> {
  if (!token) return null;
  const envToken = env().API_TOKEN;
  if (envToken && secretsMatch(token, envToken)) {
    return { kind: 'token', role: 'operator', userId: null, label: ENV_TOKEN_LABEL, tokenId: null };
  }
  const record = await resolveApiToken(db, token);
  if (!record) return null;
  return { kind: 'token', role: record.role, userId: null, label: `token:${record.name}`, tokenId: record.id };
}

async function principalFromSession(db: Database, token: string | undefined, touch: boolean): Promise<Principal | null> {
  if (!token) return null;
  const session = await resolveSession(db, token, undefined, undefined, { touch });
  if (!session) return null;
  return {
    kind: 'session',
    role: session.user.role,
    userId: session.user.id,
    label: session.user.email,
    sessionTokenHash: session.tokenHash,
  };
}

/**
 * `touch: false` looks without counting as activity: a background re-check must not keep an idle session alive.
 */
export async function getPrincipal(
  source: PrincipalSource,
  db: Database = getDb().db,
  options: { touch?: boolean } = {},
): Promise<Principal | null> {
  const bearer = readBearerToken(source.headers);
  if (bearer !== undefined) return principalFromBearer(db, bearer);
  // Over https only the __Host- cookie counts: a plain-named one could have been planted by a sibling subdomain.
  const cookieName = sessionCookieName(isSecureRequest(source.headers, source instanceof Request ? source.url : undefined));
  const sessionToken =
    source instanceof Request ? readCookie(source.headers.get('cookie'), cookieName) : source.cookies.get(cookieName)?.value;
  return principalFromSession(db, sessionToken, options.touch ?? true);
}

/** For long-lived responses: whether the credentials a request came with still name someone with `role`. */
export async function stillHasRole(request: Request, role: Role, db?: Database): Promise<boolean> {
  const principal = await getPrincipal(request, db, { touch: false });
  return principal !== null && hasRole(principal.role, role);
}
