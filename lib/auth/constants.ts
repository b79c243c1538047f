/** Names shared by proxy.ts and the server-side checks (no imports, so the proxy bundle stays tiny). */

/** The session cookie: 32 random bytes, base64url. The database holds only its sha256. */
export const SESSION_COOKIE = 'nightshift_session';
/**
 * Its name over https. Browsers accept a `__Host-` cookie only from a secure origin, with Path=/ and no Domain,
 * so no sibling subdomain can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** Set by proxy.ts on every request: the path (with query) the browser asked for, for `/login?next=`. */
export const REQUESTED_PATH_HEADER = 'x-nightshift-path';

/**
 * Set by the server (scripts/serve.ts) on every request to the socket's peer address, overwriting whatever the
 * client sent under that name: the one address fact a client cannot choose.
 */
export const PEER_ADDRESS_HEADER = 'x-nightshift-peer';
