/** The engine's default logger (console, JSON-ish) and a helper to bind fields, like pino's child(). */
import type { Logger } from './types';

export function consoleLogger(minimum: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const;
  const enabled = (level: (typeof order)[number]) => order.indexOf(level) >= order.indexOf(minimum);
  const write = (level: (typeof order)[number]) => (fields: Record<string, unknown>, message: string) => {
    if (!enabled(level)) return;
    const line = `[engine] ${level} ${message} ${JSON.stringify(fields)}`;
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function withFields(logger: Logger, bound: Record<string, unknown>): Logger {
  return {
    debug: (fields, message) => logger.debug({ ...bound, ...fields }, message),
    info: (fields, message) => logger.info({ ...bound, ...fields }, message),
    warn: (fields, message) => logger.warn({ ...bound, ...fields }, message),
    error: (fields, message) => logger.error({ ...bound, ...fields }, message),
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
