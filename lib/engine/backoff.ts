/** Retry delays: exponential growth with "equal jitter", so each gap is random yet never shorter than the previous one. */

export interface BackoffSettings {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1_000, capMs: 300_000 };

/**
 * Delay before the retry that follows failure number `failureNumber` (1 = the first attempt failed).
 * The ceiling doubles each time: base·2^(n-1), capped; the delay is uniformly drawn from [ceiling/2, ceiling].
 * Half-open jitter keeps workers from retrying in lockstep while guaranteeing the gaps grow (until the cap).
 * A `retryAfterMs` from the failure (e.g. HTTP Retry-After) replaces the computed delay, capped too.
 */
export function computeBackoffMs(
  failureNumber: number,
  settings: BackoffSettings,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(Math.round(retryAfterMs), settings.capMs);
  }
  const exponent = Math.max(0, failureNumber - 1);
  const ceiling = Math.min(settings.capMs, settings.baseMs * 2 ** Math.min(exponent, 52));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
