/**
 * Every page, route handler and server action in the source tree, discovered from the files,
 * classified by access-policy.ts and called as anonymous / viewer / operator / admin (session cookies, and for
 * routes also API tokens) against a real database. Something new that nobody classified fails here.
 *
 * Expected outcomes:
 *   route handler  — allowed: not 401/403 and no crash (2xx, or 4xx from validation / not found);
 *                    anonymous on a protected route: 401; signed in with a role too low: 403.
 *   server action  — allowed: returns (e.g. a validation state) or redirects somewhere other than /login;
 *                    anonymous: redirect to /login; role too low: forbidden (403).
 *   page           — allowed: no auth interrupt; anonymous: redirect to /login?next=…; too low: forbidden (403).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionAccess, HTTP_METHODS, pageAccess, routeAccess, type Access } from './access-policy';
import { hasRole, ROLES, type Role } from './roles';
import { actionFiles, concretize, inlineActionFiles, pageFiles, relative, routeFiles, routePathOf } from './testing/entry-points';
import { setFakeRequest } from './testing/next-headers-fake';
import { useAppDatabase } from './testing/app-database';
import { createIdentities, createIdentity, type TestIdentity } from './testing/identities';

vi.mock('next/headers', async () => (await import('./testing/next-headers-fake')).nextHeadersModule);
// revalidatePath needs Next's request store; what it would refresh is irrelevant to access control.
vi.mock('next/cache', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/cache')>()),
  revalidatePath: vi.fn(),
  revalidateTag: vi.fn(),
  updateTag: vi.fn(),
  refresh: vi.fn(),
}));

const ORIGIN = 'http://localhost:3000';
const CALL_TIMEOUT_MS = 20_000;

type Identity = { name: string; role: Role | null; kind: 'anonymous' | 'session' | 'token'; headers: Record<string, string>; sessionToken?: string };

function identitiesFrom(people: Record<Role, TestIdentity>, withTokens: boolean): Identity[] {
  const list: Identity[] = [{ name: 'anonymous', role: null, kind: 'anonymous', headers: {} }];
  for (const role of ROLES) {
    list.push({ name: `${role} (session)`, role, kind: 'session', headers: people[role].cookie, sessionToken: people[role].sessionToken });
    if (withTokens) list.push({ name: `${role} (token)`, role, kind: 'token', headers: people[role].bearer });
  }
  return list;
}

function expectedFor(access: Access, identity: Identity): 'allowed' | 'anonymous' | 'forbidden' {
  if (access === 'public') return 'allowed';
  if (!identity.role) return 'anonymous';
  return hasRole(identity.role, access) ? 'allowed' : 'forbidden';
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)),
  ]);
}

/** What a server action or page did, in terms of Next's control-flow errors. */
async function interruptOf(run: () => Promise<unknown>): Promise<{ kind: 'returned' } | { kind: 'redirect'; to: string } | { kind: 'status'; status: number } | { kind: 'threw'; error: unknown }> {
  try {
    await run();
    return { kind: 'returned' };
  } catch (error) {
    const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : '';
    if (digest.startsWith('NEXT_REDIRECT;')) return { kind: 'redirect', to: digest.split(';')[2] ?? '' };
    if (digest.startsWith('NEXT_HTTP_ERROR_FALLBACK;')) return { kind: 'status', status: Number(digest.split(';')[1]) };
    return { kind: 'threw', error };
  }
}

const isLoginRedirect = (outcome: Awaited<ReturnType<typeof interruptOf>>) =>
  (outcome.kind === 'redirect' && /^\/login(\?|$)/.test(outcome.to)) || (outcome.kind === 'status' && outcome.status === 401);
const isForbidden = (outcome: Awaited<ReturnType<typeof interruptOf>>) => outcome.kind === 'status' && outcome.status === 403;

describe('access control over every entry point', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let people: Record<Role, TestIdentity>;

  beforeAll(async () => {
    appDb = await useAppDatabase();
    people = await createIdentities(appDb.db);
  });
  afterAll(async () => {
    await appDb.release();
  });

  it('finds the entry points (sanity check of the discovery itself)', () => {
    expect(routeFiles.map(relative)).toContain('app/api/health/live/route.ts');
    expect(pageFiles.map(relative)).toEqual(expect.arrayContaining(['app/page.tsx', 'app/login/page.tsx', 'app/admin/users/page.tsx']));
    expect(actionFiles.map(relative)).toEqual(expect.arrayContaining(['app/login/actions.ts', 'app/admin/users/actions.ts']));
  });

  it("has no inline 'use server' functions (they could not be enumerated here; put actions in a 'use server' file)", () => {
    expect(inlineActionFiles.map(relative)).toEqual([]);
  });

  it('route handlers: every exported method is classified and enforces its access', async () => {
    const unclassified: string[] = [];
    const failures: string[] = [];
    let checked = 0;
    for (const file of routeFiles) {
      const template = routePathOf(file);
      const routeModule = (await import(file)) as Record<string, unknown>;
      const methods = HTTP_METHODS.filter((method) => typeof routeModule[method] === 'function');
      expect(methods.length, `${relative(file)} exports no HTTP method`).toBeGreaterThan(0);
      for (const method of methods) {
        const access = routeAccess(template, method);
        if (!access) {
          unclassified.push(`${method} ${template} (${relative(file)})`);
          continue;
        }
        const { urlPath, params } = concretize(template);
        const handler = routeModule[method] as (request: Request, context: { params: Promise<typeof params> }) => Promise<Response> | Response;
        for (const identity of identitiesFrom(people, true)) {
          const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
          // Aborted once the status is known, as a browser that went away would: streaming routes (server-sent
          // events) then release what they hold instead of running on after the test.
          const connection = new AbortController();
          const request = new Request(`${ORIGIN}${urlPath}`, {
            method,
            signal: connection.signal,
            headers: { ...identity.headers, origin: ORIGIN, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
            body: hasBody ? '{}' : undefined,
          });
          const response = await withTimeout(Promise.resolve(handler(request, { params: Promise.resolve(params) })), `${method} ${urlPath}`);
          connection.abort();
          await response.body?.cancel().catch(() => undefined);
          checked += 1;
          const expected = expectedFor(access, identity);
          const label = `${method} ${template} as ${identity.name} (policy: ${access}) → ${response.status}`;
          if (expected === 'anonymous' && response.status !== 401) failures.push(`${label}, expected 401`);
          if (expected === 'forbidden' && response.status !== 403) failures.push(`${label}, expected 403`);
          if (expected === 'allowed' && [401, 403, 500].includes(response.status)) failures.push(`${label}, expected to be allowed`);
        }
      }
    }
    // Both lists in one assertion, so a run shows every gap at once (route handlers missing from ROUTE_RULES are 'unclassified').
    expect({ unclassified, failures }).toEqual({ unclassified: [], failures: [] });
    expect(checked).toBeGreaterThan(0);
  });

  it('server actions: every exported function is classified and enforces its access', async () => {
    const unclassified: string[] = [];
    const failures: string[] = [];
    let checked = 0;
    for (const file of actionFiles) {
      const actionModule = (await import(file)) as Record<string, unknown>;
      for (const [name, exported] of Object.entries(actionModule)) {
        if (typeof exported !== 'function') continue;
        const access = actionAccess(relative(file), name);
        if (!access) {
          unclassified.push(`${relative(file)}#${name}`);
          continue;
        }
        const action = exported as (state: unknown, payload: FormData) => Promise<unknown>;
        for (const identity of identitiesFrom(people, false)) {
          // Fresh sessions each time: a public action such as sign-out may end the session it was called with.
          const sessionToken = identity.role ? (await createIdentity(appDb.db, identity.role)).sessionToken : undefined;
          setFakeRequest({ sessionToken, headers: { origin: ORIGIN, host: 'localhost:3000', 'x-nightshift-path': '/some/page' } });
          const outcome = await withTimeout(interruptOf(() => action({ status: 'idle', message: '', errors: {} }, new FormData())), `${name}`);
          checked += 1;
          const expected = expectedFor(access, identity);
          const label = `${relative(file)}#${name} as ${identity.name} (policy: ${access}) → ${JSON.stringify(outcome.kind === 'threw' ? String(outcome.error) : outcome)}`;
          if (expected === 'anonymous' && !isLoginRedirect(outcome)) failures.push(`${label}, expected a redirect to /login`);
          if (expected === 'forbidden' && !isForbidden(outcome)) failures.push(`${label}, expected forbidden (403)`);
          if (expected === 'allowed' && access !== 'public' && (isLoginRedirect(outcome) || isForbidden(outcome))) failures.push(`${label}, expected to be allowed`);
          if (expected === 'allowed' && access === 'public' && isForbidden(outcome)) failures.push(`${label}, expected to be allowed`);
        }
      }
    }
    // Both lists in one assertion, so a run shows every gap at once (server actions missing from ACTION_RULES are 'unclassified').
    expect({ unclassified, failures }).toEqual({ unclassified: [], failures: [] });
    expect(checked).toBeGreaterThan(0);
  });

  it('pages: every page is classified and enforces its access', async () => {
    const unclassified: string[] = [];
    const failures: string[] = [];
    for (const file of pageFiles) {
      const template = routePathOf(file);
      const access = pageAccess(template);
      if (!access) {
        unclassified.push(`${template} (${relative(file)})`);
        continue;
      }
      const page = ((await import(file)) as { default: (props: unknown) => unknown }).default;
      const { urlPath, params } = concretize(template);
      for (const identity of identitiesFrom(people, false)) {
        setFakeRequest({ sessionToken: identity.sessionToken, headers: { 'x-nightshift-path': urlPath } });
        const outcome = await withTimeout(
          interruptOf(async () => page({ params: Promise.resolve(params), searchParams: Promise.resolve({}) })),
          `page ${urlPath}`,
        );
        const expected = expectedFor(access, identity);
        const label = `page ${template} as ${identity.name} (policy: ${access}) → ${JSON.stringify(outcome.kind === 'threw' ? String(outcome.error) : outcome)}`;
        if (expected === 'anonymous' && !(outcome.kind === 'redirect' && outcome.to === (urlPath === '/' ? '/login' : `/login?next=${encodeURIComponent(urlPath)}`))) {
          failures.push(`${label}, expected a redirect to /login?next=${urlPath}`);
        }
        if (expected === 'forbidden' && !isForbidden(outcome)) failures.push(`${label}, expected forbidden (403)`);
        if (expected === 'allowed' && (isLoginRedirect(outcome) || isForbidden(outcome))) failures.push(`${label}, expected to be allowed`);
      }
    }
    // Both lists in one assertion, so a run shows every gap at once (pages missing from PAGE_RULES are 'unclassified').
    expect({ unclassified, failures }).toEqual({ unclassified: [], failures: [] });
  });
});
