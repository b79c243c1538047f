/**
 * Bad input never makes a route handler fail: every route in app/ (found from the files), every method it
 * exports, called by an admin with hostile ids, huge numbers, prototype names, malformed query strings and
 * bodies, answers below 500. The one 5xx by contract is /api/health/ready's 503 (no worker runs here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_METHODS } from '@/lib/auth/access-policy';
import { useAppDatabase } from '@/lib/auth/testing/app-database';
import { concretize, relative, routeFiles, routePathOf } from '@/lib/auth/testing/entry-points';
import { createIdentity, type TestIdentity } from '@/lib/auth/testing/identities';
import { liveHub } from '@/lib/live/server-hub';

const ORIGIN = 'http://localhost:3000';

const HOSTILE_SEGMENTS = [
  '0', '-1', '1e309', 'NaN', '99999999999', '99999999999999999999999999', '__proto__', 'constructor', 'toString',
  'hasOwnProperty', '__proto__.csv', 'constructor.csv', 'toString.csv', 'valueOf.csv', 'customers.csv.csv', '\u0000',
  'a\u0000b', '\ud800', '../../etc/passwd', 'x'.repeat(3000), '00000000-0000-4000-8000-000000000000',
  '00000000-0000-4000-8000-000000000000.csv', ' ', '%',
];

const HOSTILE_QUERIES = [
  'snapshot=99999999999', 'snapshot=-1', 'snapshot=1e400', 'snapshot=0x10', 'page=99999999999999999999', 'page=1e400',
  'limit=99999999999999999999', 'limit=-1', 'before=99999999999999999999', 'cursor=%00', 'cursor=%ED%A0%80',
  '__proto__=1', 'constructor=1', 'toString=1', 'status=__proto__', 'sort=constructor&dir=__proto__',
  'limit=1&limit=2', 'q=%00', `q=${'x'.repeat(5000)}`, 'task=%ud800', 'from=99999-99-99&to=0000-00-00',
];

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const HOSTILE_BODIES: Array<[string, string]> = [
  ['empty', ''],
  ['truncated JSON', '{"a": '],
  ['null', 'null'],
  ['an array', '[1, 2, 3]'],
  ['a huge number', '1e400'],
  ['prototype keys', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'],
  ['a NUL in text', '{"text": "a\\u0000b", "name": "a\\u0000b", "reason": "a\\u0000b"}'],
  ['a lone surrogate', '{"text": "\\ud800", "name": "\\udc00"}'],
  ['5,000-deep nesting', `{"text": "x", "blocks": ${nested(5000)}}`],
  ['huge numbers in fields', '{"crm": {"failure_rate": 1e308, "latency_ms": 99999999999999999999}, "date_range": {"start_date": "99999-01-01", "end_date": "2026-02-30"}}'],
  ['dates far away', '{"date_range": {"start_date": "0001-01-01", "end_date": "9999-12-31"}, "force_refresh": "yes"}'],
  ['1 MB', JSON.stringify({ text: 'x'.repeat(1024 * 1024) })],
];

describe('every route handler answers hostile input with less than 500', () => {
  let appDb: Awaited<ReturnType<typeof useAppDatabase>>;
  let admin: TestIdentity;
  /** A real task, so hostile values in one segment meet real data behind the others (e.g. `constructor.csv`). */
  let taskId: string;

  beforeAll(async () => {
    appDb = await useAppDatabase();
    admin = await createIdentity(appDb.db, 'admin');
    const { POST } = await import('@/app/analytics/start/route');
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const started = await POST(
      new Request(`${ORIGIN}/analytics/start`, {
        method: 'POST',
        headers: { ...admin.bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ date_range: { start_date: day, end_date: day } }),
      }),
      undefined,
    );
    taskId = ((await started.json()) as { task_id: string }).task_id;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
  });

  /** A value that works for a parameter, so only the one under test is hostile. */
  const validSample = (name: string) => (name === 'file' ? 'customers.csv' : taskId);
  afterAll(async () => {
    await liveHub().close();
    await appDb.release();
  });

  it('finds the route handlers (sanity check of the discovery)', () => {
    expect(routeFiles.map(relative)).toEqual(expect.arrayContaining(['app/api/dashboard/route.ts', 'app/analytics/results/[task_id]/[file]/route.ts', 'app/demo/slack/webhook/route.ts']));
  });

  it('ids, numbers, prototype names, query strings and bodies', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const file of routeFiles) {
      const template = routePathOf(file);
      const routeModule = (await import(file)) as Record<string, unknown>;
      for (const method of HTTP_METHODS.filter((name) => typeof routeModule[name] === 'function')) {
        const handler = routeModule[method] as (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;
        const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
        const paramNames = [...template.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1] ?? '');
        const cases: Array<{ label: string; param?: string; segment?: string; query?: string; body?: string; contentType?: string }> = [
          ...paramNames.flatMap((param) =>
            HOSTILE_SEGMENTS.map((segment) => ({ label: `[${param}] = ${JSON.stringify(segment).slice(0, 40)}`, param, segment })),
          ),
          ...HOSTILE_QUERIES.map((query) => ({ label: `?${query.slice(0, 60)}`, query })),
          ...(hasBody
            ? HOSTILE_BODIES.flatMap(([label, body]) => [
                { label: `body: ${label}`, body, contentType: 'application/json' },
                { label: `form body: ${label}`, body: `payload=${encodeURIComponent(body)}`, contentType: 'application/x-www-form-urlencoded' },
              ])
            : []),
        ];
        for (const testCase of cases) {
          const { urlPath, params } = concretize(template, (name) => (name === testCase.param ? (testCase.segment ?? '') : validSample(name)));
          const connection = new AbortController();
          const label = `${method} ${template} ${testCase.label}`;
          let status: number;
          try {
            const request = new Request(`${ORIGIN}${urlPath}${testCase.query ? `?${testCase.query}` : ''}`, {
              method,
              signal: connection.signal,
              headers: { ...admin.bearer, origin: ORIGIN, ...(testCase.contentType ? { 'content-type': testCase.contentType } : {}) },
              body: hasBody ? (testCase.body ?? '{}') : undefined,
            });
            const response = await handler(request, { params: Promise.resolve(params) });
            status = response.status;
            // A body that fails half-way (a CSV export) drops the connection: read it all. Server-sent events never
            // end, so the client goes away from those as a browser would.
            if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
              connection.abort();
              await response.body?.cancel().catch(() => undefined);
            } else {
              await response.arrayBuffer();
            }
          } catch (error) {
            failures.push(`${label} failed: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`);
            continue;
          } finally {
            calls += 1;
          }
          const allowed5xx = template === '/api/health/ready' && status === 503;
          if (status >= 500 && !allowed5xx) failures.push(`${label} → ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(300);
  }, 120_000);
});
