/** A cached answer as an HTTP response: its JSON with an ETag, or 304 when the client already holds that body. */
import type { Answer } from './answer-cache';

/** If-None-Match holds `*` or a list of entity tags; GET compares weakly (RFC 9110 §13.1.2). */
function clientHolds(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function answerResponse(request: Request, answer: Answer<unknown>, headers: Record<string, string>): Response {
  const common = { ...headers, ETag: answer.etag };
  if (clientHolds(request.headers.get('if-none-match'), answer.etag)) return new Response(null, { status: 304, headers: common });
  return new Response(answer.body, { status: 200, headers: { ...common, 'Content-Type': 'application/json' } });
}
