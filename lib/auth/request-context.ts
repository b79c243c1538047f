/**
 * The current request as server components and server actions see it (through next/headers).
 * `currentPrincipal` is cached per request with React's `cache`, so the header and the page share one lookup.
 */
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { REQUESTED_PATH_HEADER } from './constants';
import { getPrincipal, type Principal } from './principal';
import { clientAddressOf, isSecureRequest, safeNextPath } from './request-info';


export const currentPrincipal = cache(async (): Promise<Principal | null> => {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  return getPrincipal({ headers: requestHeaders, cookies: requestCookies });
});

export async function currentRequestInfo(): Promise<{ clientAddress: string; userAgent: string | null; secure: boolean; path: string }> {
  const requestHeaders = await headers();
  return {
    clientAddress: clientAddressOf(requestHeaders),
    userAgent: requestHeaders.get('user-agent'),
    secure: isSecureRequest(requestHeaders),
    path: safeNextPath(requestHeaders.get(REQUESTED_PATH_HEADER), '/'),
  };
}

export function loginPath(next: string): string {
  const safe = safeNextPath(next, '/');
  return safe === '/' ? '/login' : `/login?next=${encodeURIComponent(safe)}`;
}
