/**
 * A fixed-window request counter per key (a client address), in this process's memory. Good enough for what
 * it guards — an anonymous endpoint that must not be flooded — where a shared counter in the database would
 * itself cost a write per flood request. Windows of keys gone quiet are dropped as new ones open.
 */
export interface RateLimiter {
  /** Counts one request for `key`; refused with the seconds until its window ends once over the limit. */
  take(key: string, now?: number): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { startedAt: number; count: number }>();
  return {
    take(key, now = Date.now()) {
      let window = windows.get(key);
      if (!window || now - window.startedAt >= options.windowMs) {
        if (windows.size >= maxKeys) {
          for (const [other, { startedAt }] of windows) if (now - startedAt >= options.windowMs) windows.delete(other);
        }
        window = { startedAt: now, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count <= options.limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1_000)) };
    },
  };
}
