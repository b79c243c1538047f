/** Pure pieces: pattern matching of the access policy, proxy redirects, request helpers, roles vs the database enum, CLI args. */
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { userRole } from '@/db/schema/auth';
import { proxy } from '@/proxy';
import { matchesPattern, pageAccess, routeAccess } from './access-policy';
import { PEER_ADDRESS_HEADER } from './constants';
import { isSameOrigin, proxyTrustFrom, readBearerToken, readCookie, safeNextPath } from './request-info';
import { hasRole, ROLES } from './roles';
import { parseTokenArgs } from './token-cli';

describe('access policy patterns', () => {
  it('matches one segment with * and any depth with **', () => {
    expect(matchesPattern('/api/health/*', '/api/health/ready')).toBe(true);
    expect(matchesPattern('/api/health/*', '/api/health/ready/extra')).toBe(false);
    expect(matchesPattern('/demo/**', '/demo/crm/users')).toBe(true);
    expect(matchesPattern('/admin/**', '/admin')).toBe(true);
    expect(matchesPattern('/', '/')).toBe(true);
    expect(matchesPattern('/', '/runs')).toBe(false);
    expect(pageAccess('/runs/new')).toBe('operator');
    expect(pageAccess('/runs/[id]')).toBe('viewer');
    expect(routeAccess('/api/chaos', 'DELETE')).toBeUndefined();
    expect(routeAccess('/api/chaos', 'PUT')).toBe('operator');
  });
});

describe('roles', () => {
  it('match the database enum and are ordered viewer < operator < admin', () => {
    expect([...ROLES]).toEqual(userRole.enumValues);
    expect(hasRole('admin', 'operator')).toBe(true);
    expect(hasRole('operator', 'operator')).toBe(true);
    expect(hasRole('viewer', 'operator')).toBe(false);
  });
});

describe('proxy', () => {
  it('sends anonymous page requests to /login with the path to come back to', () => {
    const response = proxy(new NextRequest('http://localhost:3000/admin/users?tab=2'));
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost:3000/login?next=%2Fadmin%2Fusers%3Ftab%3D2');
    expect(proxy(new NextRequest('http://localhost:3000/')).headers.get('location')).toBe('http://localhost:3000/login');
  });

  it('lets public pages, APIs, demo routes and signed-in visitors through, passing the requested path on', () => {
    for (const url of ['/login', '/status', '/api/chaos', '/demo/crm/users', '/status.json']) {
      const response = proxy(new NextRequest(`http://localhost:3000${url}`));
      expect(response.headers.get('location'), url).toBeNull();
      expect(response.headers.get('x-middleware-request-x-nightshift-path'), url).toBe(url);
    }
    const signedIn = proxy(new NextRequest('http://localhost:3000/runs', { headers: { cookie: 'nightshift_session=abc' } }));
    expect(signedIn.headers.get('location')).toBeNull();
    const secureCookie = proxy(new NextRequest('http://localhost:3000/runs', { headers: { cookie: '__Host-nightshift_session=abc' } }));
    expect(secureCookie.headers.get('location')).toBeNull();
  });

  it('refuses cookie-authenticated and server-action state changes that are not from this site with 403', async () => {
    const post = (headers: Record<string, string>, path = '/runs/123') =>
      proxy(new NextRequest(`http://localhost:3000${path}`, { method: 'POST', headers: { host: 'localhost:3000', ...headers } }));
    const cookie = { cookie: 'nightshift_session=abc' };
    for (const refused of [
      post(cookie),
      post({ ...cookie, origin: 'https://evil.example' }),
      post({ ...cookie, 'sec-fetch-site': 'cross-site' }),
      post({ 'next-action': 'abc123' }),
      post({ 'next-action': 'abc123', origin: 'https://evil.example' }),
      post({ ...cookie, origin: 'https://evil.example' }, '/api/chaos'),
    ]) {
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toMatch(/^Cross-site request refused/);
      expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    for (const allowed of [
      post({ ...cookie, origin: 'http://localhost:3000' }),
      post({ ...cookie, 'sec-fetch-site': 'same-origin' }),
      post({ 'next-action': 'abc123', origin: 'http://localhost:3000' }),
      post({ authorization: 'Bearer ns_token', cookie: 'nightshift_session=abc' }),
      // Anonymous, cookie-less posts to a public endpoint (the demo Slack webhook) are not browser sessions.
      post({}, '/demo/slack/webhook'),
    ]) {
      expect(allowed.status).toBe(200);
    }
  });

  it('sets a nonce CSP on every answer it gives, and HSTS only over https from a trusted proxy', () => {
    const first = proxy(new NextRequest('http://localhost:3000/login'));
    const second = proxy(new NextRequest('http://localhost:3000/login'));
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toBe(second.headers.get('content-security-policy'));
    // Next finds the nonce in the request's CSP and puts it on its scripts.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(csp);
    expect(first.headers.get('strict-transport-security')).toBeNull();
    expect(proxy(new NextRequest('http://localhost:3000/')).headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(proxy(new NextRequest('https://localhost:3000/login')).headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});

describe('request helpers', () => {
  it('reads cookies, bearer tokens and the client address', () => {
    expect(readCookie('a=1; nightshift_session=tok%3D; b=2', 'nightshift_session')).toBe('tok=');
    expect(readCookie('nightshift_sessionX=1', 'nightshift_session')).toBeUndefined();
    expect(readBearerToken(new Headers({ authorization: 'Bearer ns_abc' }))).toBe('ns_abc');
    expect(readBearerToken(new Headers({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(readBearerToken(new Headers({ authorization: 'Bearer' }))).toBe('');
    expect(readBearerToken(new Headers({ authorization: 'Bearer a b' }))).toBe('');
    expect(readBearerToken(new Headers())).toBeUndefined();
  });

  it('compares Origin with the host (X-Forwarded-Host only from a trusted proxy), or accepts Sec-Fetch-Site: same-origin', () => {
    const trustLocal = proxyTrustFrom(['127.0.0.1']);
    const none = proxyTrustFrom([]);
    expect(isSameOrigin(new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }), 'http://localhost:3000/x', none)).toBe(true);
    expect(isSameOrigin(new Headers({ origin: 'https://evil.example', host: 'localhost:3000' }), 'http://localhost:3000/x', none)).toBe(false);
    expect(isSameOrigin(new Headers({ origin: 'null' }), 'http://localhost:3000/x', none)).toBe(false);
    expect(isSameOrigin(new Headers({ host: 'localhost:3000' }), 'http://localhost:3000/x', none)).toBe(false);
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'same-origin' }), 'http://localhost:3000/x', none)).toBe(true);
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'same-site' }), 'http://localhost:3000/x', none)).toBe(false);
    const forwarded = { origin: 'https://ns.example.com', host: '127.0.0.1:3000', 'x-forwarded-host': 'ns.example.com' };
    expect(isSameOrigin(new Headers({ ...forwarded, [PEER_ADDRESS_HEADER]: '127.0.0.1' }), 'http://127.0.0.1:3000/x', trustLocal)).toBe(true);
    // A client cannot make its Origin "ours" by sending the matching X-Forwarded-Host itself.
    expect(isSameOrigin(new Headers({ ...forwarded, [PEER_ADDRESS_HEADER]: '203.0.113.1' }), 'http://127.0.0.1:3000/x', trustLocal)).toBe(false);
  });

  it('only follows local next paths', () => {
    expect(safeNextPath('/runs?x=1')).toBe('/runs?x=1');
    for (const hostile of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a\nb']) expect(safeNextPath(hostile)).toBe('/');
  });
});

describe('npm run token arguments', () => {
  it('accepts --name and --role, and explains every problem otherwise', () => {
    expect(parseTokenArgs(['--name', 'nightly-cron', '--role', 'operator'])).toEqual({ kind: 'create', name: 'nightly-cron', role: 'operator' });
    const bad = parseTokenArgs(['--role', 'root']);
    expect(bad.kind).toBe('error');
    if (bad.kind === 'error') expect(bad.message).toMatch(/--name[\s\S]*--role/);
    expect(parseTokenArgs(['--bogus']).kind).toBe('error');
    expect(parseTokenArgs(['--help']).kind).toBe('help');
  });
});
