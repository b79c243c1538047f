/**
 * Turns a source's chaos settings into what its HTTP client experiences: added latency, then at most
 * one fault — a hang, a 429 with Retry-After, or a 500/503. Returns the fault's response, or null
 * when the request should be served normally.
 */
import type { Database } from '@/db/client';
import { readSourceChaos, type HttpSource } from './chaos';

/** A hung request is released after this long even if its client never gives up. */
export const HANG_SAFETY_CAP_MS = 180_000;
const RETRY_AFTER_SECONDS = { min: 1, max: 5 };

export interface FaultOptions {
  random?: () => number;
  hangCapMs?: number;
}

let defaultDice: () => number = Math.random;

/**
 * Replaces the dice every demo route rolls (tests script a failure pattern with it, so "50% failures" is
 * exactly every other request instead of a coin that may land the same way six times). No argument restores
 * Math.random. A setting at 0 rolls no die, so only sources with faults switched on consume the script.
 */
export function useFaultDice(dice?: () => number): void {
  defaultDice = dice ?? Math.random;
}

/** Resolves after `ms`, or as soon as `signal` aborts; true when the full time passed. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function faultResponse(source: HttpSource, status: number, error: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error, source, injected: true }, { status, headers });
}

export async function injectFault(
  db: Database,
  source: HttpSource,
  signal: AbortSignal,
  options: FaultOptions = {},
): Promise<Response | null> {
  const random = options.random ?? defaultDice;
  const chaos = await readSourceChaos(db, source);

  if (chaos.latency_ms > 0 && !(await sleep(chaos.latency_ms, signal))) {
    return faultResponse(source, 499, 'client closed the request');
  }
  if (chaos.hang_rate > 0 && random() < chaos.hang_rate) {
    const released = await sleep(options.hangCapMs ?? HANG_SAFETY_CAP_MS, signal);
    return released
      ? faultResponse(source, 504, 'injected hang reached its safety cap')
      : faultResponse(source, 499, 'client closed the request');
  }
  if (chaos.rate_limit_rate > 0 && random() < chaos.rate_limit_rate) {
    const span = RETRY_AFTER_SECONDS.max - RETRY_AFTER_SECONDS.min + 1;
    const retryAfter = RETRY_AFTER_SECONDS.min + Math.floor(random() * span);
    return faultResponse(source, 429, 'rate limited (injected)', { 'Retry-After': String(retryAfter) });
  }
  if (chaos.failure_rate > 0 && random() < chaos.failure_rate) {
    return random() < 0.5
      ? faultResponse(source, 500, 'internal server error (injected)')
      : faultResponse(source, 503, 'service unavailable (injected)');
  }
  return null;
}
