/**
 * The JSON error bodies every JSON API answers with (demo sources, /api/chaos, /analytics): `{ error, issues: [{ path, message }] }`,
 * every issue listed rather than the first.
 */
import type { z } from 'zod';

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
  const values: Record<string, string> = {};
  const duplicates: ResponseIssue[] = [];
  for (const [key, value] of params) {
    if (key in values) duplicates.push({ path: key, message: `"${key}" is given more than once` });
    values[key] = value;
  }
  const parsed = schema.safeParse(values);
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

/** The request body as JSON; anything unparseable is a 400 and an oversize body a 400, never a thrown error. */
export async function parseJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
  options: { maxBytes?: number } = {},
): Promise<Parsed<T>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) return { ok: false, response: bodyTooLarge(maxBytes) };
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) return { ok: false, response: bodyTooLarge(maxBytes) };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: badRequest('body is not valid JSON', [{ path: '', message: 'expected a JSON document' }]) };
  }
  return validateBody(body, schema);
}

export function validateBody<T>(body: unknown, schema: z.ZodType<T>): Parsed<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, response: badRequest('invalid request body', issuesOf(parsed.error)) };
  return { ok: true, value: parsed.data };
}
