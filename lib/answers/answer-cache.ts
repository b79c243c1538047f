/**
 * A cache of computed answers (the dashboard's data, the public status), each kept with the data version it was
 * computed from, its JSON body and an ETag, so a request costs a version check instead of a recomputation.
 *
 * - A different version (a snapshot was published, the engine reported a change) recomputes before answering:
 *   no answer from before the change is served after the request has seen the new version.
 * - An answer that only aged (its version is unchanged, but it depends on the clock: "stale since midnight",
 *   "the deadline passed") is served once more while one refresh runs in the background, so a busy moment
 *   never queues every request behind a recomputation.
 * - Concurrent requests for the same key and version share one computation.
 * - At most `maxEntries` keys are kept (the least recently used go first): query strings are open-ended.
 */
import { createHash } from 'node:crypto';

export interface Answer<T> {
  value: T;
  /** JSON of `value`, serialised once per computation. */
  body: string;
  /** Strong validator of `body`. */
  etag: string;
}

interface Entry<T> {
  version: string;
  answer: Answer<T>;
  expiresAt: number;
  refreshing: boolean;
}

export interface AnswerCacheOptions {
  /** How long an answer may be served for an unchanged version before it is recomputed (clock-driven content). */
  maxAgeMs: number;
  maxEntries?: number;
  now?: () => number;
  onError?(message: string): void;
}

export interface AnswerCache<T> {
  get(key: string, version: string, compute: () => Promise<T>): Promise<Answer<T>>;
  clear(): void;
  size(): number;
}

export function makeAnswer<T>(value: T): Answer<T> {
  const body = JSON.stringify(value);
  return { value, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

export function createAnswerCache<T>(options: AnswerCacheOptions): AnswerCache<T> {
  const maxEntries = options.maxEntries ?? 256;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();
  const inFlight = new Map<string, Promise<Answer<T>>>();

  const store = (key: string, version: string, answer: Answer<T>) => {
    entries.delete(key);
    entries.set(key, { version, answer, expiresAt: now() + options.maxAgeMs, refreshing: false });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
  };

  const computeOnce = (key: string, version: string, compute: () => Promise<T>): Promise<Answer<T>> => {
    const flightKey = `${version}\u0000${key}`;
    let flight = inFlight.get(flightKey);
    if (!flight) {
      flight = compute()
        .then((value) => {
          const answer = makeAnswer(value);
          // Stored even if a newer version was stored meanwhile: `get` compares versions, so an older answer is
          // never served for a newer version — it only costs the next request a recomputation.
          store(key, version, answer);
          return answer;
        })
        .finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, flight);
    }
    return flight;
  };

  return {
    async get(key, version, compute) {
      const entry = entries.get(key);
      if (entry && entry.version === version) {
        // Touch for the LRU order.
        entries.delete(key);
        entries.set(key, entry);
        if (entry.expiresAt <= now() && !entry.refreshing) {
          entry.refreshing = true;
          computeOnce(key, version, compute).catch((error: unknown) => {
            entry.refreshing = false;
            options.onError?.(`background refresh of ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
        return entry.answer;
      }
      return computeOnce(key, version, compute);
    },
    clear() {
      entries.clear();
    },
    size: () => entries.size,
  };
}
