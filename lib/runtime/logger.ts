/** The process logger (pino, JSON lines, level from LOG_LEVEL); pino loggers satisfy the engine's Logger. */
import pino from 'pino';
import { env } from '@/lib/env';
import type { Logger } from '@/lib/engine';

export function createProcessLogger(name: string): Logger {
  return pino({ name, level: env().LOG_LEVEL });
}
