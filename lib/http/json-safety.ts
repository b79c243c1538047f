/**
 * What JSON.parse accepts but PostgreSQL's jsonb (and any sane consumer) does not: NUL characters, lone UTF-16
 * surrogates, and nesting deep enough to exhaust a recursive reader. Found here, such a body is a 400 naming the
 * place, instead of a database error (500) later.
 */
import type { ResponseIssue } from './responses';

export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

/** Every problem, at most one per place; an empty list means the value may be stored as it is. */
export function unsafeJsonIssues(value: unknown, maxDepth = MAX_JSON_DEPTH): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  // Iterative, so an adversarial depth is reported rather than overflowing our own stack.
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (pending.length > 0 && issues.length < 20) {
    const item = pending.pop();
    if (!item) break;
    if (typeof item.value === 'string') {
      const problem = stringProblem(item.value);
      if (problem) issues.push({ path: item.path, message: `text ${problem}` });
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= maxDepth) {
      issues.push({ path: item.path, message: `nested more than ${maxDepth} levels deep` });
      continue;
    }
    const entries: Array<[string, unknown]> = Array.isArray(item.value)
      ? item.value.map((element, index) => [String(index), element])
      : Object.entries(item.value);
    for (const [key, child] of entries) {
      const path = item.path ? `${item.path}.${key}` : key;
      const keyProblem = stringProblem(key);
      if (keyProblem) issues.push({ path, message: `key ${keyProblem}` });
      pending.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return issues;
}
