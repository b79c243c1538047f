/**
 * Every server action, found from the source tree, refuses a call that does not come from this site — no
 * Origin and no Sec-Fetch-Site (a hand-made request), or a cross-site one — with 403 before doing anything:
 * every table's contents are the same afterwards. Called as a signed-in admin, with input that would otherwise
 * succeed where the action has a simple one.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionAccess } from './access-policy';
import { actionFiles, relative } from './testing/entry-points';
import { setFakeRequest } from './testing/next-headers-fake';
import { useAppDatabase } from './testing/app-database';
import { createIdentity } from './testing/identities';

vi.mock('next/headers', async () => (await import('./testing/next-headers-fake')).nextHeadersModule);
vi.mock('next/cache', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/cache')>()),
  revalidatePath: vi.fn(),
  revalidateTag: vi.fn(),
  updateTag: vi.fn(),
  refresh: vi.fn(),
}));

const HOST = 'localhost:3000';
const USER_PASSWORD = 'Origin-test-password-1';

/** Inputs that would change something if the action ran. */
const WORKING_INPUT: Record<string, Record<string, string>> = {
  'app/login/actions.ts#signInAction': { email: 'member@nightshift.test', password: USER_PASSWORD },
  'app/admin/users/actions.ts#createUserAction': { email: 'csrf@nightshift.test', role: 'admin', password: 'Csrf-created-password-1' },
  'app/admin/tokens/actions.ts#createApiTokenAction': { name: 'csrf-token', role: 'admin' },
  'app/chaos/actions.ts#updateChaosAction': { crm_failure_rate: '100' },
};

function formOf(fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return form;
}

async function outcomeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'returned';
  } catch (error) {
    const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : String(error);
    return digest.startsWith('NEXT_HTTP_ERROR_FALLBACK;') ? `status ${digest.split(';')[1]}` : digest;
  }
}

describe('server actions refuse calls that are not from this site', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;

  beforeAll(async () => {
    appDb = await useAppDatabase();
    const { createUser } = await import('./users');
    await createUser(appDb.db, { email: 'member@nightshift.test', role: 'viewer', password: USER_PASSWORD }, { actorId: null, actorLabel: 'test' });
  });
  afterAll(async () => {
    await appDb.release();
  });

  /** A fingerprint of every row of every table the app owns, in one round trip. */
  let fingerprintSql = '';
  async function databaseFingerprint(): Promise<string> {
    if (!fingerprintSql) {
      const { rows: tables } = await appDb.pool.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      fingerprintSql = tables
        .map(({ name }) => `SELECT '${name}' AS name, (SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ${name} t) AS digest`)
        .join(' UNION ALL ');
    }
    const { rows } = await appDb.pool.query<{ name: string; digest: string | null }>(fingerprintSql);
    return rows.map((row) => `${row.name}:${row.digest ?? 'empty'}`).join('\n');
  }

  it('finds the actions (sanity check of the discovery)', () => {
    expect(actionFiles.map(relative)).toEqual(expect.arrayContaining(['app/login/actions.ts', 'app/admin/users/actions.ts', 'app/chaos/actions.ts']));
  });

  it('answers 403 and writes nothing without Origin / Sec-Fetch-Site, or from another site', async () => {
    const failures: string[] = [];
    let checked = 0;
    const calls: Array<{ key: string; action: (state: unknown, payload: FormData) => Promise<unknown> }> = [];
    for (const file of actionFiles) {
      const actionModule = (await import(file)) as Record<string, unknown>;
      for (const [name, exported] of Object.entries(actionModule)) {
        if (typeof exported !== 'function') continue;
        const key = `${relative(file)}#${name}`;
        expect(actionAccess(relative(file), name), `${key} is not in ACTION_RULES`).toBeDefined();
        calls.push({ key, action: exported as (state: unknown, payload: FormData) => Promise<unknown> });
      }
    }
    const scenarios = [
      ['without Origin or Sec-Fetch-Site', { host: HOST }],
      ['from another site', { host: HOST, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
      ['with a foreign Origin only', { host: HOST, origin: 'https://evil.example' }],
    ] as const;
    // Fresh admin sessions for every call (sign-out would end a shared one), all made before the fingerprint.
    const admins = await Promise.all(calls.flatMap(() => scenarios.map(() => createIdentity(appDb.db, 'admin'))));
    const before = await databaseFingerprint();
    for (const { key, action } of calls) {
      for (const [label, headers] of scenarios) {
        const admin = admins[checked];
        setFakeRequest({ sessionToken: admin?.sessionToken, headers, fromOurPages: false });
        const outcome = await outcomeOf(() => action({ status: 'idle', message: '', errors: {} }, formOf(WORKING_INPUT[key])));
        checked += 1;
        if (outcome !== 'status 403') failures.push(`${key} ${label} → ${outcome}, expected 403`);
        if ((await databaseFingerprint()) !== before) failures.push(`${key} ${label} wrote to the database`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(15 * 3);
  });

  it('runs the same action when the browser says it comes from this site (Origin or Sec-Fetch-Site)', async () => {
    const { createUserAction } = await import('@/app/admin/users/actions');
    const fromThisSite: Array<Record<string, string>> = [{ host: HOST, origin: `http://${HOST}` }, { host: HOST, 'sec-fetch-site': 'same-origin' }];
    for (const [index, headers] of fromThisSite.entries()) {
      const admin = await createIdentity(appDb.db, 'admin');
      setFakeRequest({ sessionToken: admin.sessionToken, headers, fromOurPages: false });
      const state = await createUserAction(
        { status: 'idle', message: '', errors: {} },
        formOf({ email: `same-site-${index}@nightshift.test`, role: 'viewer', password: 'Same-site-password-1' }),
      );
      expect(state).toMatchObject({ status: 'success' });
    }
  });
});
