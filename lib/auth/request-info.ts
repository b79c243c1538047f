/**
 * Facts about an incoming request that auth needs, read the same way from a web Request (route handlers)
 * and from next/headers (server components and actions).
 */

/** Reads a cookie from a raw `Cookie` header (route handlers get no parsed cookie jar). */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * The bearer credential ('' when the header says Bearer but carries nothing usable), or undefined when the
 * request did not use the Bearer scheme — e.g. Basic credentials added by a reverse proxy, which must not
 * stop the session cookie from working.
 */
export function readBearerToken(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')?.trim();
  if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
}

/**
 * The client's address for rate limiting: the first hop of X-Forwarded-For, else X-Real-IP, else 'local'.
 * Only meaningful behind a proxy that sets these headers; the per-account limit does not depend on it.
 */
export function clientAddressOf(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const address = forwarded || headers.get('x-real-ip')?.trim() || 'local';
  return address.slice(0, 100);
}

/** Whether the browser reached us over https (directly or through a TLS-terminating proxy). */
export function isSecureRequest(headers: Headers, url?: string): boolean {
  const forwardedProto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwardedProto) return forwardedProto === 'https';
  return url ? url.startsWith('https:') : false;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * True when the request's Origin names this server. Browsers send Origin on every cross-origin request and on
 * every same-origin non-GET request, so a cookie-carrying state change without a matching Origin is refused.
 */
export function isSameOrigin(headers: Headers, url: string): boolean {
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const host = (headers.get('x-forwarded-host')?.split(',')[0]?.trim() || headers.get('host') || new URL(url).host).toLowerCase();
  return originHost === host;
}

/** A `next` parameter is only followed when it is a path on this site (no `//evil.example`, no `/\\evil`). */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}
