/**
 * The one HTTP request function the source clients share: a per-request timeout through AbortSignal
 * (covering the body too), and every failure turned into a SourceError that says whether a retry can help.
 * Timeouts, network errors, 5xx and 429 are retryable; any other 4xx and a malformed answer are not.
 * A caller's own abort (run cancelled) is passed through unchanged: that is not the source's failure.
 */
import type { z } from 'zod';
import { env } from '@/lib/env';
import { parseRetryAfter, SourceError } from './source-error';

export interface RequestOptions {
  source: string;
  timeoutMs?: number;
  /** The caller's signal, e.g. the step's cancellation. */
  signal?: AbortSignal;
}

interface SendOptions extends RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
}

async function send(url: string, options: SendOptions): Promise<{ response: Response; text: string }> {
  const timeoutMs = options.timeoutMs ?? env().SOURCE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
    });
    return { response, text: await response.text() };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new SourceError(`${options.source}: no answer from ${url} within ${timeoutMs} ms`, {
        source: options.source,
        kind: 'timeout',
        retryable: true,
        cause: error,
      });
    }
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new SourceError(`${options.source}: request to ${url} failed (${reason})`, {
      source: options.source,
      kind: 'network',
      retryable: true,
      cause: error,
    });
  }
}

function statusError(source: string, url: string, response: Response, text: string): SourceError {
  const detail = text.slice(0, 200);
  const message = `${source}: ${url} answered ${response.status}${detail ? `: ${detail}` : ''}`;
  if (response.status === 429) {
    return new SourceError(message, {
      source,
      kind: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }
  if (response.status >= 500) return new SourceError(message, { source, kind: 'server_error', retryable: true, status: response.status });
  return new SourceError(message, { source, kind: 'client_error', retryable: false, status: response.status });
}

export async function getJson<T>(url: string, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
  const { response, text } = await send(url, options);
  if (!response.ok) throw statusError(options.source, url, response, text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new SourceError(`${options.source}: ${url} answered with something that is not JSON`, {
      source: options.source,
      kind: 'invalid_response',
      retryable: false,
      status: response.status,
      cause: error,
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new SourceError(`${options.source}: unexpected answer from ${url} (${issues.join('; ')})`, {
      source: options.source,
      kind: 'invalid_response',
      retryable: false,
      status: response.status,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** POSTs JSON and returns the answer's text (a Slack webhook answers `ok`, not JSON). */
export async function postJson(url: string, body: unknown, options: RequestOptions): Promise<string> {
  const { response, text } = await send(url, { ...options, method: 'POST', body });
  if (!response.ok) throw statusError(options.source, url, response, text);
  return text;
}

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
