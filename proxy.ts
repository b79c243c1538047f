/**
 * Runs before every request but static assets (Next 16's successor to middleware). Its jobs — none of them the
 * role checks, which every page, route and action does itself on the server:
 * 1. Refuse a cookie-authenticated state change (route handler or server action) that does not come from this
 *    site, with 403 — before Next's own action handling, which answers a cross-site action with a 500 and lets
 *    one without Origin through. Bearer-token clients are not browsers and are exempt.
 * 2. Security headers: a per-request CSP nonce (lib/http/security-headers.ts), HSTS over https. The headers
 *    that never vary are in next.config.mjs, so static files get them too.
 * 3. Pass the requested path to server components (`x-nightshift-path`) so `requirePageRole` can send an
 *    anonymous visitor to `/login?next=<that path>`, and send visitors without a session cookie straight to
 *    /login for non-public pages, saving a render.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { pageAccess } from '@/lib/auth/access-policy';
import { REQUESTED_PATH_HEADER, SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@/lib/auth/constants';
import { CROSS_SITE_MESSAGE, isSameOrigin, isSecureRequest, isStateChanging, readBearerToken } from '@/lib/auth/request-info';
import { contentSecurityPolicy, newNonce, STRICT_TRANSPORT_SECURITY } from '@/lib/http/security-headers';

function secured(response: NextResponse, csp: string, secure: boolean): NextResponse {
  response.headers.set('Content-Security-Policy', csp);
  if (secure) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const requested = `${pathname}${search}`;
  const csp = contentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === 'development' });
  const secure = isSecureRequest(request.headers, request.url);

  const bearer = readBearerToken(request.headers) !== undefined;
  const hasSessionCookie = request.cookies.has(SESSION_COOKIE) || request.cookies.has(SECURE_SESSION_COOKIE);
  const isServerAction = request.headers.has('next-action');
  if (isStateChanging(request.method) && !bearer && (hasSessionCookie || isServerAction) && !isSameOrigin(request.headers, request.url)) {
    return secured(NextResponse.json({ error: CROSS_SITE_MESSAGE, issues: [] }, { status: 403 }), csp, secure);
  }

  // Only paths the policy lists as pages: API routes (/api, /analytics, /demo …) answer 401 JSON themselves.
  const access = pathname.startsWith('/api/') ? undefined : pageAccess(pathname);
  const hasCredentials = hasSessionCookie || request.headers.has('authorization');
  if (access !== undefined && access !== 'public' && request.method === 'GET' && !hasCredentials) {
    const login = new URL('/login', request.url);
    if (requested !== '/') login.searchParams.set('next', requested);
    return secured(NextResponse.redirect(login), csp, secure);
  }

  const headers = new Headers(request.headers);
  headers.set(REQUESTED_PATH_HEADER, requested);
  // Next reads the nonce from the request's CSP and puts it on the scripts it renders.
  headers.set('Content-Security-Policy', csp);
  return secured(NextResponse.next({ request: { headers } }), csp, secure);
}

export const config = {
  // Static assets and Next's internals never need these jobs (their fixed headers come from next.config.mjs).
  matcher: ['/((?!_next/static|_next/image|favicon.ico|robots.txt).*)'],
};
