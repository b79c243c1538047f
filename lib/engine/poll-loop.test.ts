/** The poll-and-wake loop shared by the background services: wakes, failures and stop, against real timers. */
import { describe, expect, it } from 'vitest';
import { createPollLoop } from './poll-loop';
import { quietLogger, sleep } from './test-fixtures/harness';

describe('poll loop', () => {
  it('sleeps the interval between passes, and a wake ends the sleep at once', async () => {
    const passes: number[] = [];
    const loop = createPollLoop({ name: 'test', intervalMs: 10_000, pass: async () => void passes.push(Date.now()), logger: quietLogger });
    loop.start();
    await sleep(50);
    expect(passes).toHaveLength(1);
    const wokenAt = Date.now();
    loop.wake();
    await sleep(50);
    expect(passes).toHaveLength(2);
    expect(passes[1]! - wokenAt).toBeLessThan(40);
    await loop.stop();
  });

  it('keeps a wake that arrives during a pass: the next sleep is skipped', async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const loop = createPollLoop({
      name: 'test',
      intervalMs: 10_000,
      pass: async () => {
        passes += 1;
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      logger: quietLogger,
    });
    loop.start();
    await sleep(20);
    loop.wake(); // during the first pass
    release();
    await sleep(50);
    expect(passes).toBe(2);
    await loop.stop();
  });

  it('goes on at once when a pass answers 0, and backs off after failures without stopping', async () => {
    let passes = 0;
    const failuresAt: number[] = [];
    const loop = createPollLoop({
      name: 'test',
      intervalMs: 10_000,
      failureBackoff: { baseMs: 40, capMs: 40 },
      pass: async () => {
        passes += 1;
        if (passes <= 3) return 0;
        if (passes <= 5) {
          failuresAt.push(Date.now());
          throw new Error('database unreachable');
        }
        return undefined;
      },
      logger: quietLogger,
    });
    loop.start();
    await sleep(200);
    expect(passes).toBe(6);
    // Equal jitter on a 40 ms ceiling: 20–40 ms between the two failures.
    expect(failuresAt[1]! - failuresAt[0]!).toBeGreaterThanOrEqual(18);
    await loop.stop();
  });

  it('stop lets the running pass finish and runs no further pass', async () => {
    let passes = 0;
    let finished = false;
    const loop = createPollLoop({
      name: 'test',
      intervalMs: 5,
      pass: async () => {
        passes += 1;
        await sleep(30);
        finished = true;
      },
      logger: quietLogger,
    });
    loop.start();
    await sleep(10);
    await loop.stop();
    expect(finished).toBe(true);
    const after = passes;
    await sleep(30);
    expect(passes).toBe(after);
  });
});
