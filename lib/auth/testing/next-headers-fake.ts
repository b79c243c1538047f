/**
 * Test stand-in for `next/headers` so server components and server actions can run outside Next with a chosen
 * request (cookies + headers). Only the request plumbing is faked; the database stays real. Use with
 *   vi.mock('next/headers', async () => (await import('@/lib/auth/testing/next-headers-fake')).nextHeadersModule);
 */
import { SESSION_COOKIE } from '../constants';

interface SetCookie {
  value: string;
  options: Record<string, unknown>;
}

interface FakeRequest {
  headers: Headers;
  cookies: Map<string, string>;
  /** Cookies the code under test set or deleted (value '' with maxAge 0 for a deletion). */
  setCookies: Map<string, SetCookie>;
}

let current: FakeRequest = { headers: new Headers(), cookies: new Map(), setCookies: new Map() };

/**
 * Starts a new fake request: optional session token, extra headers (e.g. x-forwarded-proto, x-nightshift-path).
 * Like a browser on one of our pages it says `Sec-Fetch-Site: same-origin`, unless `fromOurPages: false` (a
 * hand-made request) or the headers say otherwise.
 */
export function setFakeRequest(
  options: { sessionToken?: string; headers?: Record<string, string>; fromOurPages?: boolean; cookieName?: string } = {},
): FakeRequest {
  const cookies = new Map<string, string>();
  if (options.sessionToken) cookies.set(options.cookieName ?? SESSION_COOKIE, options.sessionToken);
  const headers = new Headers(options.headers);
  if (options.fromOurPages !== false && !headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'same-origin');
  current = { headers, cookies, setCookies: new Map() };
  return current;
}

export function fakeRequest(): FakeRequest {
  return current;
}

const cookieStore = {
  get(name: string) {
    const value = current.cookies.get(name);
    return value === undefined ? undefined : { name, value };
  },
  getAll() {
    return [...current.cookies].map(([name, value]) => ({ name, value }));
  },
  has(name: string) {
    return current.cookies.has(name);
  },
  set(name: string, value: string, options: Record<string, unknown> = {}) {
    current.cookies.set(name, value);
    current.setCookies.set(name, { value, options });
    return cookieStore;
  },
  delete(name: string) {
    current.cookies.delete(name);
    current.setCookies.set(name, { value: '', options: { maxAge: 0 } });
    return cookieStore;
  },
};

export const nextHeadersModule = {
  headers: async () => current.headers,
  cookies: async () => cookieStore,
  draftMode: async () => ({ isEnabled: false, enable() {}, disable() {} }),
};
