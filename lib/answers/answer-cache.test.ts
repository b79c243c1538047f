/** The answer cache alone (no database): one computation per key and version, and what makes it compute again. */
import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './answer-cache';

function counter() {
  let calls = 0;
  return {
    compute: (value: string) => async () => {
      calls += 1;
      return { value };
    },
    calls: () => calls,
  };
}

describe('answer cache', () => {
  it('computes once per key and version, with one body and ETag for every request, concurrent ones included', async () => {
    const cache = createAnswerCache<{ value: string }>({ maxAgeMs: 60_000 });
    const count = counter();
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', 'v1', count.compute('a'))));
    expect(count.calls()).toBe(1);
    expect(new Set(answers.map((answer) => answer.etag)).size).toBe(1);
    expect(answers[0]?.body).toBe('{"value":"a"}');
    await cache.get('k', 'v1', count.compute('ignored'));
    expect(count.calls()).toBe(1);
  });

  it('recomputes before answering when the version changed, and the ETag follows the body', async () => {
    const cache = createAnswerCache<{ value: string }>({ maxAgeMs: 60_000 });
    const count = counter();
    const first = await cache.get('k', 'v1', count.compute('a'));
    const second = await cache.get('k', 'v2', count.compute('b'));
    expect(second.value).toEqual({ value: 'b' });
    expect(second.etag).not.toBe(first.etag);
    // A new version with the same content keeps the ETag: clients still get their 304.
    const third = await cache.get('k', 'v3', count.compute('b'));
    expect(third.etag).toBe(second.etag);
    expect(count.calls()).toBe(3);
  });

  it('serves an aged answer once more while one background refresh replaces it', async () => {
    let clock = 0;
    const cache = createAnswerCache<{ value: string }>({ maxAgeMs: 1_000, now: () => clock });
    const count = counter();
    await cache.get('k', 'v1', count.compute('old'));
    clock = 5_000;
    const served = await Promise.all([cache.get('k', 'v1', count.compute('new')), cache.get('k', 'v1', count.compute('new'))]);
    expect(served.map((answer) => answer.value.value)).toEqual(['old', 'old']);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.get('k', 'v1', count.compute('unused'))).value.value).toBe('new');
    expect(count.calls()).toBe(2);
  });

  it('keeps at most maxEntries keys, dropping the least recently used', async () => {
    const cache = createAnswerCache<{ value: string }>({ maxAgeMs: 60_000, maxEntries: 2 });
    const count = counter();
    await cache.get('a', 'v', count.compute('a'));
    await cache.get('b', 'v', count.compute('b'));
    await cache.get('a', 'v', count.compute('a'));
    await cache.get('c', 'v', count.compute('c'));
    expect(cache.size()).toBe(2);
    await cache.get('a', 'v', count.compute('a'));
    expect(count.calls()).toBe(3);
    await cache.get('b', 'v', count.compute('b'));
    expect(count.calls()).toBe(4);
  });

  it('does not keep a failed computation: the next request tries again', async () => {
    const cache = createAnswerCache<{ value: string }>({ maxAgeMs: 60_000 });
    await expect(cache.get('k', 'v', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect((await cache.get('k', 'v', async () => ({ value: 'ok' }))).value.value).toBe('ok');
  });
});
