/**
 * Throttles a handler's progress() calls to about one database write per interval: the latest value wins,
 * the first call is written at once, and flush() writes whatever is pending before the attempt closes.
 */
import { describeError } from './logger';
import type { Logger } from './types';

export interface ProgressReporter {
  report(message: string, percent?: number): void;
  flush(): Promise<void>;
  cancel(): void;
}

const MAX_MESSAGE_CHARS = 2_000;

export function createProgressReporter(
  write: (message: string, percent: number | null) => Promise<unknown>,
  options: { intervalMs: number; logger: Logger },
): ProgressReporter {
  let lastWriteAt = 0;
  let pending: { message: string; percent: number | null } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let cancelled = false;

  const writePending = () => {
    timer = undefined;
    const next = pending;
    pending = undefined;
    if (!next || cancelled) return writing;
    lastWriteAt = Date.now();
    writing = writing
      .then(() => write(next.message, next.percent))
      .then(
        () => undefined,
        (error: unknown) => options.logger.warn({ error: describeError(error) }, 'could not record progress'),
      );
    return writing;
  };

  return {
    report(message, percent) {
      if (cancelled) return;
      const clamped = typeof percent === 'number' && Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : null;
      pending = { message: String(message).slice(0, MAX_MESSAGE_CHARS), percent: clamped };
      if (timer) return;
      timer = setTimeout(writePending, Math.max(0, lastWriteAt + options.intervalMs - Date.now()));
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await writePending();
    },
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
