/**
 * A live stream (GET /api/live) ends once its reader may no longer read: within LIVE_PRINCIPAL_RECHECK_MS
 * (at most 30 s) of sign-out, of the API token being revoked, or of the account being disabled. Driven through
 * the route handler itself; only setInterval is faked, so the re-check's database lookups are real.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeApiToken } from '@/lib/auth/api-tokens';
import { hashSecret } from '@/lib/auth/secrets';
import { deleteSession } from '@/lib/auth/sessions';
import { setUserDisabled } from '@/lib/auth/users';
import { useAppDatabase } from '@/lib/auth/testing/app-database';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { LIVE_PRINCIPAL_RECHECK_MS, liveHub } from './server-hub';

const ORIGIN = 'http://localhost:3000';
const decoder = new TextDecoder();

interface OpenStream {
  /** The next chunk's text, or null once the server closed the stream (waits at most 5 s of real time). */
  next(): Promise<string | null>;
  leave(): void;
}

describe('live streams end with their session or token', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let route: typeof import('@/app/api/live/route');
  const admin = { actorId: null, actorLabel: 'test' };

  beforeAll(async () => {
    appDb = await useAppDatabase();
    route = await import('@/app/api/live/route');
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await liveHub().close();
    await appDb.release();
  });

  async function open(headers: Record<string, string>): Promise<OpenStream> {
    const connection = new AbortController();
    const response = await route.GET(new Request(`${ORIGIN}/api/live`, { headers, signal: connection.signal }), undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no stream');
    return {
      async next() {
        const read = reader.read().then(({ done, value }) => (done ? null : decoder.decode(value)));
        const timeout = new Promise<never>((_, reject) => AbortSignal.timeout(5_000).addEventListener('abort', () => reject(new Error('stream neither sent nor closed'))));
        return Promise.race([read, timeout]);
      },
      leave: () => connection.abort(),
    };
  }

  /** Reads past what is already queued, one re-check interval later. */
  async function afterOneRecheck(stream: OpenStream): Promise<string | null> {
    let chunk = await stream.next();
    while (chunk !== null && !chunk.includes('keep-alive')) {
      await vi.advanceTimersByTimeAsync(LIVE_PRINCIPAL_RECHECK_MS);
      chunk = await stream.next();
    }
    return chunk;
  }

  it('re-checks at least every 30 s', () => {
    expect(LIVE_PRINCIPAL_RECHECK_MS).toBeLessThanOrEqual(30_000);
  });

  it.each([
    ['sign-out', 'cookie', (person: TestIdentity) => deleteSession(appDb.db, hashSecret(person.sessionToken))],
    ['token revocation', 'bearer', async (person: TestIdentity) => {
      const { rows } = await appDb.pool.query<{ id: string }>('SELECT id FROM api_tokens WHERE token_hash = $1', [hashSecret(person.apiToken)]);
      await revokeApiToken(appDb.db, rows[0]?.id ?? '', admin);
    }],
    ['the account being disabled', 'cookie', (person: TestIdentity) => setUserDisabled(appDb.db, person.userId, true, admin)],
  ] as const)('closes within one re-check of %s', async (_label, credential, end) => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const person = await createIdentity(appDb.db, 'viewer');
    const stream = await open(credential === 'cookie' ? person.cookie : person.bearer);
    // Still allowed: a re-check later the stream is open (the heartbeat arrives).
    expect(await afterOneRecheck(stream)).toContain('keep-alive');

    await end(person);
    await vi.advanceTimersByTimeAsync(LIVE_PRINCIPAL_RECHECK_MS);
    let chunk = await stream.next();
    while (chunk !== null) chunk = await stream.next();
    expect(chunk).toBeNull();
    stream.leave();
  });
});
