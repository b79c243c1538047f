/**
 * Facts about an incoming request that auth needs, read the same way from a web Request (route handlers)
 * and from next/headers (server components and actions). Forwarding headers (X-Forwarded-For / -Proto /
 * -Host) are believed only when the socket's peer is one of TRUSTED_PROXIES.
 */
import { BlockList, isIP } from 'node:net';
import { env } from '@/lib/env';
import { PEER_ADDRESS_HEADER } from './constants';

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

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) → `192.0.2.1`; brackets and zone ids removed. */
export function normalizeAddress(value: string): string {
  const address = value.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return (mapped?.[1] ?? address).toLowerCase();
}

/** Which peers are reverse proxies whose forwarding headers we believe (TRUSTED_PROXIES). */
export type ProxyTrust = (address: string) => boolean;

export function proxyTrustFrom(entries: readonly string[]): ProxyTrust {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(normalizeAddress(address), family);
    else list.addSubnet(normalizeAddress(address), Number(prefix), family);
  }
  return (address) => {
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    return family !== 0 && list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  };
}

let cachedTrust: { entries: readonly string[]; trust: ProxyTrust } | undefined;

/** The process's TRUSTED_PROXIES as a matcher (built once per setting). */
export function configuredProxyTrust(): ProxyTrust {
  const entries = env().TRUSTED_PROXIES;
  if (cachedTrust?.entries !== entries) cachedTrust = { entries, trust: proxyTrustFrom(entries) };
  return cachedTrust.trust;
}

/** The socket peer as scripts/serve.ts recorded it; undefined when the app runs without that server. */
function peerAddressOf(headers: Headers): string | undefined {
  const peer = headers.get(PEER_ADDRESS_HEADER);
  return peer ? normalizeAddress(peer) : undefined;
}

/** True when the request reached us from a configured proxy, so its X-Forwarded-* headers may be read. */
export function cameThroughTrustedProxy(headers: Headers, trust: ProxyTrust = configuredProxyTrust()): boolean {
  const peer = peerAddressOf(headers);
  return peer !== undefined && trust(peer);
}

/**
 * The client's address for rate limiting. The socket's peer, unless that peer is a trusted proxy: then the
 * right-most X-Forwarded-For hop that is not itself a trusted proxy (hops to its left were written by the client
 * and prove nothing). 'unknown' when the peer was not recorded — one shared bucket, never a client's choice.
 */
export function clientAddressOf(headers: Headers, trust: ProxyTrust = configuredProxyTrust()): string {
  const peer = peerAddressOf(headers);
  if (peer === undefined) return 'unknown';
  if (!trust(peer)) return peer.slice(0, 100);
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => normalizeAddress(hop))
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] ?? '';
    if (!trust(hop)) return hop.slice(0, 100);
  }
  return (hops[0] ?? peer).slice(0, 100);
}

/** The first value of a forwarding header, read only from a trusted proxy. */
function forwarded(headers: Headers, name: string, trust: ProxyTrust): string | undefined {
  if (!cameThroughTrustedProxy(headers, trust)) return undefined;
  return headers.get(name)?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** Whether the browser reached us over https: directly, or through a trusted TLS-terminating proxy. */
export function isSecureRequest(headers: Headers, url?: string, trust: ProxyTrust = configuredProxyTrust()): boolean {
  const forwardedProto = forwarded(headers, 'x-forwarded-proto', trust);
  if (forwardedProto) return forwardedProto === 'https';
  return url ? url.startsWith('https:') : false;
}

/** The host the browser addressed: X-Forwarded-Host from a trusted proxy, else Host. */
export function requestHost(headers: Headers, url?: string, trust: ProxyTrust = configuredProxyTrust()): string | undefined {
  const host = forwarded(headers, 'x-forwarded-host', trust) ?? headers.get('host')?.trim().toLowerCase();
  if (host) return host;
  return url ? new URL(url).host.toLowerCase() : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The one same-origin rule for cookie-authenticated state changes (server actions, route handlers, proxy.ts):
 * the browser must say the request comes from this site, by `Sec-Fetch-Site: same-origin` or by an Origin
 * naming this host. Browsers send one or both on every POST; a request with neither is not from our pages.
 */
export function isSameOrigin(headers: Headers, url?: string, trust: ProxyTrust = configuredProxyTrust()): boolean {
  if (headers.get('sec-fetch-site')?.trim().toLowerCase() === 'same-origin') return true;
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  return originHost === requestHost(headers, url, trust);
}

export const CROSS_SITE_MESSAGE =
  'Cross-site request refused: a signed-in change must come from this site (Origin or Sec-Fetch-Site: same-origin).';

/** A `next` parameter is only followed when it is a path on this site (no `//evil.example`, no `/\\evil`). */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}
