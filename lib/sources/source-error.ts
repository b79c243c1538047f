/**
 * How a source failed, in the terms the pipeline's retry policy needs: retryable or permanent, and how
 * long the source asked us to wait. The pipeline maps these onto the engine's own error types.
 */
export type SourceErrorKind = 'timeout' | 'network' | 'server_error' | 'rate_limited' | 'client_error' | 'invalid_response' | 'database';

export class SourceError extends Error {
  readonly source: string;
  readonly kind: SourceErrorKind;
  readonly retryable: boolean;
  /** The source's Retry-After, when it gave one. */
  readonly retryAfterMs?: number;
  /** HTTP status, when the source answered. */
  readonly status?: number;

  constructor(
    message: string,
    details: { source: string; kind: SourceErrorKind; retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = 'SourceError';
    this.source = details.source;
    this.kind = details.kind;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
  }
}

/** Retry-After is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
