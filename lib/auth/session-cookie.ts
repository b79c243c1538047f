/**
 * Setting and clearing the session cookie from server actions (next/headers). httpOnly so scripts cannot read
 * it, SameSite=Lax so other sites cannot send it with their POSTs, Secure whenever the browser is on https.
 */
import { cookies } from 'next/headers';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, sessionCookieName } from './constants';

/** Over https the cookie is `__Host-nightshift_session` (see constants.ts), else `nightshift_session`. */
export async function setSessionCookie(token: string, expiresAt: Date, secure: boolean): Promise<void> {
  (await cookies()).set(sessionCookieName(secure), token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export async function clearSessionCookie(): Promise<void> {
  const jar = await cookies();
  jar.delete(SESSION_COOKIE);
  // Deleting a __Host- cookie needs the same attributes it was set with, or the browser ignores the deletion.
  if (jar.has(SECURE_SESSION_COOKIE)) jar.set(SECURE_SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: true, path: '/', maxAge: 0 });
}
