/**
 * A burst of failed sign-ins must not slow everyone else down: 200 attempts at once, each from a different
 * address (the worst case for per-address limits), while another client reads an API route. Password hashing
 * waits in the bounded gate (hashing-gate.ts), so the other requests keep a p50 under 100 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRoutes, type TestServer } from '@/tests/setup/http';
import { createHashingGate, DEFAULT_HASHING_GATE_LIMITS } from './hashing-gate';
import { signIn, type SignInResult } from './sign-in';
import { useAppDatabase } from './testing/app-database';
import { createIdentity, type TestIdentity } from './testing/identities';
import { createUser } from './users';

const ATTEMPTS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('sign-in under a burst of failures', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let server: TestServer;
  let viewer: TestIdentity;

  beforeAll(async () => {
    appDb = await useAppDatabase();
    viewer = await createIdentity(appDb.db, 'viewer');
    await createUser(appDb.db, { email: 'target@nightshift.test', role: 'viewer', password: 'Target-password-123' }, { actorId: null, actorLabel: 'test' });
    server = await serveRoutes({ '/api/live/runs': await import('@/app/api/live/runs/route') });
  });
  afterAll(async () => {
    await server?.close();
    await appDb?.release();
  });

  const timedRead = async () => {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/live/runs`, { headers: viewer.bearer });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    return performance.now() - started;
  };

  it(`keeps another request's p50 under 100 ms during ${ATTEMPTS} rapid failed sign-ins`, async () => {
    for (let index = 0; index < 3; index += 1) await timedRead();
    const gate = createHashingGate(DEFAULT_HASHING_GATE_LIMITS);
    let settled = 0;
    const attempts = Array.from({ length: ATTEMPTS }, (_, index) =>
      signIn(
        appDb.db,
        { email: index % 2 ? 'target@nightshift.test' : `nobody-${index}@nightshift.test`, password: `wrong-${index}`, clientAddress: `198.51.${index >> 8}.${index & 255}` },
        { gate },
      ).finally(() => {
        settled += 1;
      }),
    );
    const latencies: number[] = [];
    while (settled < ATTEMPTS || latencies.length < 10) latencies.push(await timedRead());
    const results: SignInResult[] = await Promise.all(attempts);

    expect(median(latencies), `latencies: ${latencies.map((ms) => ms.toFixed(0)).join(', ')}`).toBeLessThan(100);
    const reasons = results.map((result) => (result.ok ? 'ok' : result.reason));
    expect(reasons).not.toContain('ok');
    // At most the gate's queue (plus the one running) was hashed; everything else was turned away at once.
    expect(reasons.filter((reason) => reason === 'invalid').length).toBeLessThanOrEqual(DEFAULT_HASHING_GATE_LIMITS.maxQueued + DEFAULT_HASHING_GATE_LIMITS.concurrency);
    expect(reasons.filter((reason) => reason === 'rate_limited').length).toBeGreaterThanOrEqual(ATTEMPTS - DEFAULT_HASHING_GATE_LIMITS.maxQueued - DEFAULT_HASHING_GATE_LIMITS.concurrency);
  });
});
