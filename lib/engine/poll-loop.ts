/**
 * The poll-and-wake loop every background service runs (event fan-out and delivery, retention, alert delivery, the
 * scheduler): a pass, then a sleep until woken or until the interval passes. A pass answers how long to sleep
 * (0: go on at once; nothing: the interval); a pass that throws is logged and retried after a back-off, so a
 * database outage neither kills the loop nor makes it spin. A wake that arrives during a pass is kept, so the next
 * sleep is skipped: work announced while a pass was busy is never left for the interval.
 */
import { computeBackoffMs, type BackoffSettings } from './backoff';
import { describeError } from './logger';
import type { Logger } from './types';

export interface PollLoop {
  start(): void;
  /** Ends the current sleep at once (or skips the next one, when a pass is running). */
  wake(): void;
  /** Lets the running pass finish, then resolves. */
  stop(): Promise<void>;
}

export interface PollLoopOptions {
  /** Used in the log line of a failed pass. */
  name: string;
  intervalMs: number;
  pass: () => Promise<number | void>;
  logger: Logger;
  /** Sleep after failed passes; default: the interval each time. */
  failureBackoff?: BackoffSettings;
}

export function createPollLoop(options: PollLoopOptions): PollLoop {
  let running = false;
  let loop: Promise<void> | undefined;
  let endSleep: (() => void) | undefined;
  let wakePending = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wakePending || !running) {
        wakePending = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        endSleep = undefined;
        resolve();
      }
      endSleep = done;
    });

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      let sleepMs: number;
      try {
        sleepMs = (await options.pass()) ?? options.intervalMs;
        failures = 0;
      } catch (error) {
        failures += 1;
        sleepMs = options.failureBackoff ? computeBackoffMs(failures, options.failureBackoff) : options.intervalMs;
        options.logger.warn({ loop: options.name, error: describeError(error), retryInMs: sleepMs }, `${options.name} failed; trying again`);
      }
      if (running && sleepMs > 0) await sleep(sleepMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      wakePending = false;
      loop = run();
    },
    wake() {
      if (endSleep) endSleep();
      else wakePending = true;
    },
    async stop() {
      running = false;
      endSleep?.();
      await loop;
      loop = undefined;
    },
  };
}
