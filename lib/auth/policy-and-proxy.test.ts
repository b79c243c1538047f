/** Pure pieces: pattern matching of the access policy, proxy redirects, request helpers, roles vs the database enum, CLI args. */
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { userRole } from '@/db/schema/auth';
import { proxy } from '@/proxy';
import { matchesPattern, pageAccess, routeAccess } from './access-policy';
import { clientAddressOf, isSameOrigin, readBearerToken, readCookie, safeNextPath } from './request-info';
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
    expect(clientAddressOf(new Headers({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }))).toBe('203.0.113.9');
    expect(clientAddressOf(new Headers({ 'x-real-ip': '198.51.100.2' }))).toBe('198.51.100.2');
    expect(clientAddressOf(new Headers())).toBe('local');
  });

  it('compares Origin with the host, preferring X-Forwarded-Host behind a proxy', () => {
    expect(isSameOrigin(new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }), 'http://localhost:3000/x')).toBe(true);
    expect(isSameOrigin(new Headers({ origin: 'https://evil.example', host: 'localhost:3000' }), 'http://localhost:3000/x')).toBe(false);
    expect(isSameOrigin(new Headers({ origin: 'null' }), 'http://localhost:3000/x')).toBe(false);
    expect(isSameOrigin(new Headers({ origin: 'https://ns.example.com', host: '127.0.0.1:3000', 'x-forwarded-host': 'ns.example.com' }), 'http://127.0.0.1:3000/x')).toBe(true);
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
