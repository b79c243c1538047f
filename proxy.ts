/**
 * Runs before every page request (Next 16's successor to middleware). Two jobs, neither of them the protection
 * itself — every page, route and action checks its own role on the server:
 * 1. Pass the requested path to server components (`x-nightshift-path`) so `requirePageRole` can send an
 *    anonymous visitor to `/login?next=<that path>`.
 * 2. Send visitors without a session cookie straight to /login for non-public pages, saving a render.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { pageAccess } from '@/lib/auth/access-policy';
import { REQUESTED_PATH_HEADER, SESSION_COOKIE } from '@/lib/auth/constants';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const requested = `${pathname}${search}`;

  // Only paths the policy lists as pages: API routes (/api, /analytics, /demo …) answer 401 JSON themselves.
  const access = pathname.startsWith('/api/') ? undefined : pageAccess(pathname);
  const hasCredentials = request.cookies.has(SESSION_COOKIE) || request.headers.has('authorization');
  if (access !== undefined && access !== 'public' && request.method === 'GET' && !hasCredentials) {
    const login = new URL('/login', request.url);
    if (requested !== '/') login.searchParams.set('next', requested);
    return NextResponse.redirect(login);
  }

  const headers = new Headers(request.headers);
  headers.set(REQUESTED_PATH_HEADER, requested);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Static assets and Next's internals never need either job.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|robots.txt).*)'],
};
