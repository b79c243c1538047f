/**
 * The JSON error bodies every JSON API answers with (demo sources, /api/chaos, /analytics): `{ error, issues: [{ path, message }] }`,
 * every issue listed rather than the first.
 */
import type { z } from 'zod';
import { unsafeJsonIssues } from './json-safety';

export interface ResponseIssue {
  path: string;
  message: string;
}

/** One entry per problem; an unknown key is reported at its own path, so clients see which one. */
export function issuesOf(error: z.ZodError): ResponseIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: `unknown ${path.length === 0 ? 'key' : 'setting'} "${key}"` }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

export function badRequest(error: string, issues: ResponseIssue[] = []): Response {
  return Response.json({ error, issues }, { status: 400 });
}

export function notFound(error = 'not found'): Response {
  return Response.json({ error, issues: [] }, { status: 404 });
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** Query parameters as an object; a parameter given twice is an issue, not a silent pick. */
export function parseQuery<T>(url: string, schema: z.ZodType<T>): Parsed<T> {
  const params = new URL(url).searchParams;
  // A Map, not an object: `?__proto__=` or `?constructor=` must be a plain unknown key, not a prototype lookup.
  const values = new Map<string, string>();
  const duplicates: ResponseIssue[] = [];
  for (const [key, value] of params) {
    if (values.has(key)) duplicates.push({ path: key, message: `"${key}" is given more than once` });
    values.set(key, value);
  }
  const parsed = schema.safeParse(Object.fromEntries(values));
  const issues = [...duplicates, ...(parsed.success ? [] : issuesOf(parsed.error))];
  if (issues.length > 0 || !parsed.success) return { ok: false, response: badRequest('invalid query parameters', issues) };
  return { ok: true, value: parsed.data };
}

/** Bodies larger than this are refused before parsing; every JSON body we accept is a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

// 400 rather than 413: API clients get one error shape for every bad body.
function bodyTooLarge(maxBytes: number): Response {
  return badRequest('body is too large', [{ path: '', message: `the body may be at most ${maxBytes} bytes` }]);
}

/**
 * The body as text, read no further than `maxBytes`: an oversized body is refused after the first chunk past
 * the limit (or at once from Content-Length), never buffered whole. Invalid UTF-8 becomes U+FFFD, as in
 * `request.text()`.
 */
export async function readLimitedText(request: Request, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false }> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) return { ok: false };
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** JSON.parse plus the checks jsonb needs (json-safety.ts): anything unusable is a 400. */
export function parseJsonText(text: string): Parsed<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: badRequest('body is not valid JSON', [{ path: '', message: 'expected a JSON document' }]) };
  }
  const unsafe = unsafeJsonIssues(body);
  if (unsafe.length > 0) return { ok: false, response: badRequest('body cannot be stored', unsafe) };
  return { ok: true, value: body };
}

/** The request body as JSON; anything unparseable is a 400 and an oversize body a 400, never a thrown error. */
export async function parseJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
  options: { maxBytes?: number } = {},
): Promise<Parsed<T>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const read = await readLimitedText(request, maxBytes);
  if (!read.ok) return { ok: false, response: bodyTooLarge(maxBytes) };
  const json = parseJsonText(read.text);
  if (!json.ok) return json;
  return validateBody(json.value, schema);
}

export function validateBody<T>(body: unknown, schema: z.ZodType<T>): Parsed<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, response: badRequest('invalid request body', issuesOf(parsed.error)) };
  return { ok: true, value: parsed.data };
}
