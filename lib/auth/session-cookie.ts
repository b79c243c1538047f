/**
 * Setting and clearing the session cookie from server actions (next/headers). httpOnly so scripts cannot read
 * it, SameSite=Lax so other sites cannot send it with their POSTs, Secure whenever the browser is on https.
 */
import { cookies } from 'next/headers';
import { SESSION_COOKIE } from './constants';

export async function setSessionCookie(token: string, expiresAt: Date, secure: boolean): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}
