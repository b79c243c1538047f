/**
 * The checks as entry points use them: withRole (401/403, cross-origin refusal, tokens incl. revoked and
 * API_TOKEN), authorizedAction (every validation issue reported), and the sign-in action's cookie and form state.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { apiTokens, sessions } from '@/db/schema/auth';
import { PEER_ADDRESS_HEADER, SECURE_SESSION_COOKIE, SESSION_COOKIE } from './constants';
import { fakeRequest, setFakeRequest } from './testing/next-headers-fake';
import { useAppDatabase } from './testing/app-database';
import { createIdentities, type TestIdentity } from './testing/identities';
import type { Role } from './roles';

vi.mock('next/headers', async () => (await import('./testing/next-headers-fake')).nextHeadersModule);
// revalidatePath needs Next's request store, which only exists inside a Next server.
vi.mock('next/cache', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/cache')>()), revalidatePath: vi.fn() }));

const API_TOKEN = 'env-automation-token-0123456789abcdef';
// Read when env() is first parsed, which happens after this line: a proxy on this host is trusted.
process.env.TRUSTED_PROXIES = '127.0.0.1';
const ORIGIN = 'http://nightshift.test:3000';

type AppDb = Awaited<ReturnType<typeof useAppDatabase>>;
let appDb: AppDb;
let people: Record<Role, TestIdentity>;
let guards: typeof import('./guards');
let api: typeof import('./api-tokens');
let loginActions: typeof import('@/app/login/actions');

beforeAll(async () => {
  appDb = await useAppDatabase();
  process.env.API_TOKEN = API_TOKEN;
  guards = await import('./guards');
  api = await import('./api-tokens');
  loginActions = await import('@/app/login/actions');
  people = await createIdentities(appDb.db);
});
afterAll(async () => {
  await appDb.release();
});

/** The error Next's redirect()/forbidden() throw carries a digest; this reads it back for assertions. */
async function interruptOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof Error && 'digest' in error && typeof error.digest === 'string') return error.digest;
    throw error;
  }
}

describe('withRole (route handlers)', () => {
  const handler = () => guards.withRole('operator', async (_request, _context, principal) => Response.json({ who: principal.label }));
  const call = (method: string, headers: Record<string, string>) =>
    handler()(new Request(`${ORIGIN}/api/thing`, { method, headers, body: method === 'GET' ? undefined : '{}' }), {});

  it('answers 401 JSON without credentials and 403 JSON for a role too low', async () => {
    const anonymous = await call('GET', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.json()).toHaveProperty('error');
    const viewer = await call('GET', people.viewer.cookie);
    expect(viewer.status).toBe(403);
    expect((await viewer.json()).error).toMatch(/operator/);
    expect((await call('GET', people.operator.cookie)).status).toBe(200);
    expect((await call('GET', people.admin.bearer)).status).toBe(200);
  });

  it('refuses a cross-origin POST carrying a session cookie, allows same-origin and bearer clients', async () => {
    const crossSite = await call('POST', { ...people.operator.cookie, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error).toMatch(/Cross-site/);
    expect((await call('POST', people.operator.cookie)).status).toBe(403);
    expect((await call('PUT', { ...people.operator.cookie, origin: ORIGIN })).status).toBe(200);
    expect((await call('POST', { ...people.operator.bearer })).status).toBe(200);
  });

  it('answers 401 for a session past its idle or absolute expiry', async () => {
    const { createIdentity } = await import('./testing/identities');
    for (const expiry of [{ lastSeenAt: new Date(Date.now() - 13 * 3_600_000) }, { expiresAt: new Date(Date.now() - 1000) }]) {
      const person = await createIdentity(appDb.db, 'admin');
      expect((await call('GET', person.cookie)).status).toBe(200);
      await appDb.db.update(sessions).set(expiry).where(eq(sessions.userId, person.userId));
      expect((await call('GET', person.cookie)).status).toBe(401);
    }
  });

  it('still honours the session cookie when a proxy adds Basic credentials', async () => {
    expect((await call('GET', { ...people.operator.cookie, authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(200);
  });

  it('does not fall back to the cookie when a bearer token is bad', async () => {
    const response = await call('GET', { ...people.admin.cookie, authorization: 'Bearer ns_not-a-real-token' });
    expect(response.status).toBe(401);
  });

  it('refuses a revoked token and records when tokens are used', async () => {
    const { token, record } = await api.createApiToken(appDb.db, { name: 'short-lived', role: 'admin' }, { actorId: null, actorLabel: 'test' });
    expect((await call('GET', { authorization: `Bearer ${token}` })).status).toBe(200);
    const [used] = await appDb.db.select().from(apiTokens).where(eq(apiTokens.id, record.id));
    expect(used?.lastUsedAt).not.toBeNull();
    expect(used?.tokenHash).not.toContain(token);
    await api.revokeApiToken(appDb.db, record.id, { actorId: people.admin.userId, actorLabel: people.admin.email });
    expect((await call('GET', { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('accepts API_TOKEN from the environment as an operator token', async () => {
    const response = await call('GET', { authorization: `Bearer ${API_TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ who: 'token:API_TOKEN' });
    const adminOnly = guards.withRole('admin', async () => new Response('no'));
    expect((await adminOnly(new Request(`${ORIGIN}/x`, { headers: { authorization: `Bearer ${API_TOKEN}` } }), {})).status).toBe(403);
    expect((await call('GET', { authorization: `Bearer ${API_TOKEN}x` })).status).toBe(401);
  });
});

describe('authorizedAction (server actions)', () => {
  const schema = z.object({
    name: z.string().min(3, 'Name is too short').regex(/^[a-z]+$/, 'Use lower-case letters only'),
    count: z.coerce.number().int().min(1, 'Count must be at least 1'),
  });
  const action = () => guards.authorizedAction('operator', schema, async (input, principal) => ({ message: `${principal.label}:${input.name}:${input.count}` }));

  it('redirects anonymous callers to sign in and forbids roles too low', async () => {
    setFakeRequest({ headers: { 'x-nightshift-path': '/runs/42' } });
    expect(await interruptOf(() => action()({ status: 'idle', message: '', errors: {} }, new FormData()))).toBe(
      `NEXT_REDIRECT;replace;/login?next=${encodeURIComponent('/runs/42')};307;`,
    );
    setFakeRequest({ sessionToken: people.viewer.sessionToken });
    expect(await interruptOf(() => action()({ status: 'idle', message: '', errors: {} }, new FormData()))).toBe('NEXT_HTTP_ERROR_FALLBACK;403');
  });

  it('reports every validation issue per field, not just the first', async () => {
    setFakeRequest({ sessionToken: people.operator.sessionToken });
    const form = new FormData();
    form.set('name', 'A');
    form.set('count', '0');
    const state = await action()({ status: 'idle', message: '', errors: {} }, form);
    expect(state.status).toBe('error');
    expect(state.errors.name).toEqual(['Name is too short', 'Use lower-case letters only']);
    expect(state.errors.count).toEqual(['Count must be at least 1']);
    expect(state.message).toMatch(/correct/);
  });

  it('runs the action with the parsed input and the principal when allowed', async () => {
    setFakeRequest({ sessionToken: people.admin.sessionToken });
    const form = new FormData();
    form.set('name', 'nightly');
    form.set('count', '3');
    const state = await action()({ status: 'idle', message: '', errors: {} }, form);
    expect(state).toEqual({ status: 'success', message: `${people.admin.email}:nightly:3`, errors: {}, result: undefined });
  });
});

describe('requirePageRole (server components)', () => {
  it('redirects anonymous visitors to /login?next=… and forbids roles too low', async () => {
    setFakeRequest({ headers: { 'x-nightshift-path': '/admin/users?tab=1' } });
    expect(await interruptOf(() => guards.requirePageRole('viewer'))).toBe(`NEXT_REDIRECT;replace;/login?next=${encodeURIComponent('/admin/users?tab=1')};307;`);
    setFakeRequest({ sessionToken: people.operator.sessionToken });
    expect(await interruptOf(() => guards.requirePageRole('admin'))).toBe('NEXT_HTTP_ERROR_FALLBACK;403');
    expect((await guards.requirePageRole('operator')).label).toBe(people.operator.email);
  });

  it('never turns the next parameter into an off-site redirect', async () => {
    setFakeRequest({ headers: { 'x-nightshift-path': '//evil.example/path' } });
    expect(await interruptOf(() => guards.requirePageRole('viewer'))).toBe('NEXT_REDIRECT;replace;/login;307;');
  });
});

describe('sign-in and sign-out actions', () => {
  const idle = { status: 'idle' as const, message: '', errors: {} };
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) data.set(key, value);
    return data;
  };

  beforeAll(async () => {
    const { createUser } = await import('./users');
    await createUser(appDb.db, { email: 'form@nightshift.test', role: 'viewer', password: 'Form-password-123' }, { actorId: null, actorLabel: 'test' });
  });

  it('never returns the password in the form state', async () => {
    setFakeRequest({ headers: { 'x-forwarded-for': '192.0.2.50' } });
    const state = await loginActions.signInAction(idle, form({ email: 'form@nightshift.test', password: 'Wrong-password-SENTINEL' }));
    expect(state.status).toBe('error');
    expect(state.message).toBe('Invalid email or password.');
    expect(JSON.stringify(state)).not.toContain('SENTINEL');
    const invalid = await loginActions.signInAction(idle, form({ email: '', password: 'Another-SENTINEL' }));
    expect(invalid.errors.email?.length).toBeGreaterThan(0);
    expect(JSON.stringify(invalid)).not.toContain('SENTINEL');
    expect(fakeRequest().setCookies.size).toBe(0);
  });

  it('sets an httpOnly, SameSite=Lax session cookie (Secure and __Host- on https) and redirects to a local next path only', async () => {
    // https as reported by a trusted proxy (TRUSTED_PROXIES=127.0.0.1 above).
    setFakeRequest({ headers: { 'x-forwarded-proto': 'https', [PEER_ADDRESS_HEADER]: '127.0.0.1' } });
    const digest = await interruptOf(() =>
      loginActions.signInAction(idle, form({ email: 'Form@nightshift.test', password: 'Form-password-123', next: 'https://evil.example/' })),
    );
    expect(digest).toBe('NEXT_REDIRECT;replace;/;307;');
    expect(fakeRequest().setCookies.has(SESSION_COOKIE)).toBe(false);
    const cookie = fakeRequest().setCookies.get(SECURE_SESSION_COOKIE);
    expect(SECURE_SESSION_COOKIE).toBe('__Host-nightshift_session');
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true, path: '/' });
    expect(cookie?.options).not.toHaveProperty('domain');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Over https only the __Host- cookie is read back.
    const secureToken = cookie?.value ?? '';
    const principalOf = async (options: Parameters<typeof setFakeRequest>[0]) => {
      const request = setFakeRequest(options);
      const { getPrincipal } = await import('./principal');
      return getPrincipal({ headers: request.headers, cookies: { get: (name) => (request.cookies.has(name) ? { value: request.cookies.get(name) ?? '' } : undefined) } });
    };
    const httpsHeaders = { 'x-forwarded-proto': 'https', [PEER_ADDRESS_HEADER]: '127.0.0.1' };
    expect((await principalOf({ sessionToken: secureToken, cookieName: SECURE_SESSION_COOKIE, headers: httpsHeaders }))?.label).toBe('form@nightshift.test');
    expect(await principalOf({ sessionToken: secureToken, cookieName: SESSION_COOKIE, headers: httpsHeaders })).toBeNull();

    // The same header from a client that is not a trusted proxy is ignored: plain http, plain cookie.
    setFakeRequest({ headers: { 'x-forwarded-proto': 'https', [PEER_ADDRESS_HEADER]: '203.0.113.5' } });
    await interruptOf(() => loginActions.signInAction(idle, form({ email: 'form@nightshift.test', password: 'Form-password-123' })));
    expect(fakeRequest().setCookies.get(SESSION_COOKIE)?.options).toMatchObject({ secure: false });

    setFakeRequest({});
    expect(
      await interruptOf(() => loginActions.signInAction(idle, form({ email: 'form@nightshift.test', password: 'Form-password-123', next: '/runs?status=failed' }))),
    ).toBe('NEXT_REDIRECT;replace;/runs?status=failed;307;');
    expect(fakeRequest().setCookies.get(SESSION_COOKIE)?.options).toMatchObject({ secure: false });
  });

  it('never returns a new user\'s initial password in the admin form state', async () => {
    const userActions = await import('@/app/admin/users/actions');
    setFakeRequest({ sessionToken: people.admin.sessionToken });
    const refused = await userActions.createUserAction(idle, form({ email: 'not-an-email', role: 'viewer', password: 'short-SENT' }));
    expect(refused.errors.email?.length).toBeGreaterThan(0);
    expect(refused.errors.password?.length).toBeGreaterThan(0);
    expect(JSON.stringify(refused)).not.toContain('short-SENT');
    const created = await userActions.createUserAction(idle, form({ email: 'fresh@nightshift.test', role: 'operator', password: 'Initial-password-SENTINEL' }));
    expect(created).toMatchObject({ status: 'success', message: 'Created fresh@nightshift.test as operator.' });
    expect(JSON.stringify(created)).not.toContain('SENTINEL');
  });

  it('sign-out deletes the session and clears the cookie', async () => {
    setFakeRequest({});
    await interruptOf(() => loginActions.signInAction(idle, form({ email: 'form@nightshift.test', password: 'Form-password-123' })));
    const token = fakeRequest().setCookies.get(SESSION_COOKIE)?.value ?? '';
    setFakeRequest({ sessionToken: token });
    expect(await interruptOf(() => loginActions.signOutAction())).toBe('NEXT_REDIRECT;replace;/login;307;');
    expect(fakeRequest().setCookies.get(SESSION_COOKIE)?.value).toBe('');
    const { hashSecret } = await import('./secrets');
    expect(await appDb.db.select().from(sessions).where(eq(sessions.tokenHash, hashSecret(token)))).toHaveLength(0);
  });
});
