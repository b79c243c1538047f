/**
 * Whose address a sign-in is limited under. Without a trusted proxy it is the socket's peer, whatever
 * X-Forwarded-For says, so rotating that header escapes nothing and forging a victim's address blocks nobody;
 * with TRUSTED_PROXIES=127.0.0.1 it is the right-most hop that proxy did not add itself.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog } from '@/db/schema/auth';
import { serveRoutes } from '@/tests/setup/http';
import { PEER_ADDRESS_HEADER } from './constants';
import { clientAddressOf, isSecureRequest, proxyTrustFrom, requestHost } from './request-info';
import { fakeRequest, setFakeRequest } from './testing/next-headers-fake';
import { useAppDatabase } from './testing/app-database';

vi.mock('next/headers', async () => (await import('./testing/next-headers-fake')).nextHeadersModule);

// Read when env() is first parsed, after these lines: a proxy on this host, and a small per-address limit.
process.env.TRUSTED_PROXIES = '127.0.0.1';
process.env.LOGIN_MAX_FAILURES_PER_ADDRESS = '4';
const PER_ADDRESS = 4;

const PASSWORD = 'Client-address-password-1';
const idle = { status: 'idle' as const, message: '', errors: {} };

describe('clientAddressOf', () => {
  const none = proxyTrustFrom([]);
  const local = proxyTrustFrom(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  const headers = (peer: string | undefined, forwardedFor?: string) =>
    new Headers({ ...(peer === undefined ? {} : { [PEER_ADDRESS_HEADER]: peer }), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) });

  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For or X-Real-IP say', () => {
    expect(clientAddressOf(headers('203.0.113.9', '198.51.100.1'), none)).toBe('203.0.113.9');
    expect(clientAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: '203.0.113.9', 'x-real-ip': '198.51.100.2' }), none)).toBe('203.0.113.9');
    expect(clientAddressOf(headers('::ffff:203.0.113.9'), none)).toBe('203.0.113.9');
    // A peer that is not a configured proxy is not believed either.
    expect(clientAddressOf(headers('203.0.113.9', '198.51.100.1'), local)).toBe('203.0.113.9');
    // Not served by scripts/serve.ts: one shared bucket, never an address the client picked.
    expect(clientAddressOf(headers(undefined, '198.51.100.1'), none)).toBe('unknown');
  });

  it('behind trusted proxies is the right-most hop they did not add', () => {
    expect(clientAddressOf(headers('127.0.0.1', '198.51.100.1'), local)).toBe('198.51.100.1');
    expect(clientAddressOf(headers('127.0.0.1', 'forged-by-client, 198.51.100.1'), local)).toBe('198.51.100.1');
    expect(clientAddressOf(headers('127.0.0.1', '1.1.1.1, 198.51.100.1, 10.1.2.3'), local)).toBe('198.51.100.1');
    expect(clientAddressOf(headers('::1', '198.51.100.1'), local)).toBe('::1');
    expect(clientAddressOf(headers('fd00::5', '2001:db8::1'), local)).toBe('2001:db8::1');
    // Only proxies in the chain: the left-most is as close to the client as we can know.
    expect(clientAddressOf(headers('127.0.0.1', '10.0.0.1, 10.0.0.2'), local)).toBe('10.0.0.1');
    expect(clientAddressOf(headers('127.0.0.1'), local)).toBe('127.0.0.1');
  });

  it('reads X-Forwarded-Proto and -Host only from a trusted proxy', () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ns.example.com', host: '127.0.0.1:3000' };
    const fromProxy = new Headers({ ...forwarded, [PEER_ADDRESS_HEADER]: '127.0.0.1' });
    const fromClient = new Headers({ ...forwarded, [PEER_ADDRESS_HEADER]: '203.0.113.9' });
    expect(isSecureRequest(fromProxy, 'http://127.0.0.1:3000/', local)).toBe(true);
    expect(requestHost(fromProxy, undefined, local)).toBe('ns.example.com');
    expect(isSecureRequest(fromClient, 'http://127.0.0.1:3000/', local)).toBe(false);
    expect(requestHost(fromClient, undefined, local)).toBe('127.0.0.1:3000');
    expect(isSecureRequest(fromProxy, 'http://127.0.0.1:3000/', none)).toBe(false);
  });

  it('comes from the server, which overwrites a peer header the client forged', async () => {
    const server = await serveRoutes({
      '/whoami': { GET: (request: Request) => Response.json({ address: clientAddressOf(request.headers, proxyTrustFrom([])) }) },
    });
    try {
      const response = await fetch(`${server.url}/whoami`, { headers: { [PEER_ADDRESS_HEADER]: '192.0.2.77', 'x-forwarded-for': '192.0.2.78' } });
      expect(await response.json()).toEqual({ address: '127.0.0.1' });
    } finally {
      await server.close();
    }
  });
});

describe('the per-address sign-in limit', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let loginActions: typeof import('@/app/login/actions');

  beforeAll(async () => {
    appDb = await useAppDatabase();
    loginActions = await import('@/app/login/actions');
    const { createUser } = await import('./users');
    for (const email of ['victim@nightshift.test', 'owner@nightshift.test']) {
      await createUser(appDb.db, { email, role: 'viewer', password: PASSWORD }, { actorId: null, actorLabel: 'test' });
    }
  });
  afterAll(async () => {
    await appDb.release();
  });

  const signIn = async (headers: Record<string, string>, email: string, password: string) => {
    setFakeRequest({ headers });
    const form = new FormData();
    form.set('email', email);
    form.set('password', password);
    try {
      return await loginActions.signInAction(idle, form);
    } catch (error) {
      // A successful sign-in redirects (Next's control-flow error); the cookie shows it worked.
      if (fakeRequest().setCookies.size > 0) return { status: 'success' as const, message: 'signed in', errors: {} };
      throw error;
    }
  };
  const recordedAddresses = async (email: string) =>
    (await appDb.db.select({ details: auditLog.details }).from(auditLog).where(eq(auditLog.target, email))).map(
      (row) => (row.details as { clientAddress?: string } | null)?.clientAddress,
    );

  it('is not escaped by rotating X-Forwarded-For without a trusted proxy', async () => {
    for (let index = 0; index < PER_ADDRESS; index += 1) {
      const state = await signIn({ [PEER_ADDRESS_HEADER]: '203.0.113.7', 'x-forwarded-for': `10.9.0.${index}` }, `nobody-${index}@nightshift.test`, 'wrong');
      expect(state.message).toBe('Invalid email or password.');
    }
    const next = await signIn({ [PEER_ADDRESS_HEADER]: '203.0.113.7', 'x-forwarded-for': '10.9.0.200' }, 'nobody-x@nightshift.test', 'wrong');
    expect(next.message).toMatch(/^Too many sign-in attempts; try again in \d+ minutes?\.$/);
    expect(new Set(await recordedAddresses('nobody-0@nightshift.test'))).toEqual(new Set(['203.0.113.7']));
  });

  it('is not triggered for a victim by forging their address in X-Forwarded-For', async () => {
    for (let index = 0; index < PER_ADDRESS + 2; index += 1) {
      await signIn({ [PEER_ADDRESS_HEADER]: '203.0.113.8', 'x-forwarded-for': '198.51.100.20' }, `spray-${index}@nightshift.test`, 'wrong');
    }
    const victim = await signIn({ [PEER_ADDRESS_HEADER]: '198.51.100.20' }, 'victim@nightshift.test', PASSWORD);
    expect(victim.status).toBe('success');
  });

  it('with TRUSTED_PROXIES=127.0.0.1 limits the right-most untrusted hop, whatever the client put left of it', async () => {
    const viaProxy = (left: string) => ({ [PEER_ADDRESS_HEADER]: '127.0.0.1', 'x-forwarded-for': `${left}, 192.0.2.44` });
    for (let index = 0; index < PER_ADDRESS; index += 1) {
      expect((await signIn(viaProxy(`10.8.0.${index}`), `guess-${index}@nightshift.test`, 'wrong')).message).toBe('Invalid email or password.');
    }
    expect((await signIn(viaProxy('10.8.0.99'), 'guess-x@nightshift.test', 'wrong')).message).toMatch(/^Too many sign-in attempts/);
    expect(new Set(await recordedAddresses('guess-1@nightshift.test'))).toEqual(new Set(['192.0.2.44']));
    // Another client behind the same proxy is its own address, and signs in.
    const owner = await signIn({ [PEER_ADDRESS_HEADER]: '127.0.0.1', 'x-forwarded-for': '192.0.2.45' }, 'owner@nightshift.test', PASSWORD);
    expect(owner.status).toBe('success');
  });
});
