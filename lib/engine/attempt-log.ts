/**
 * Each attempt's own log: what its handler logged through `ctx.logger`, its progress messages, and — when it fails —
 * the error with its cause chain, each line with its level and time. Lines are buffered and written in one
 * statement about once a second and when the attempt ends (a busy handler costs one INSERT per second, not one per
 * line), at most MAX_LOG_LINES lines / MAX_LOG_BYTES per attempt; past either, one marker line says so and the rest
 * is dropped (still sent to the process log). Writing a log never fails an attempt: a lost flush is logged and
 * forgotten. The rows go with their attempt, so attempt retention (EVENT_RETENTION_DAYS) purges them.
 */
import type pg from 'pg';
import type { EngineReader } from './read-api';
import type { Logger } from './types';

export const MAX_LOG_LINES = 1_000;
export const MAX_LOG_BYTES = 256 * 1024;
export const LOG_FLUSH_MS = 1_000;
export const TRUNCATION_MARKER = `log truncated: an attempt keeps at most ${MAX_LOG_LINES} lines and ${MAX_LOG_BYTES / 1024} kB`;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

interface BufferedLine {
  line: number;
  level: LogLevel;
  at: Date;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface AttemptLog {
  /** The attempt's logger: every line goes to `processLogger` and into the attempt's log. */
  logger: Logger;
  /** Records a line without sending it to the process log (progress messages, the final error). */
  record(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** The error and each `cause` below it, as error lines. */
  recordError(error: unknown): void;
  flush(): Promise<void>;
  /** Flushes what is buffered and stops the timer. */
  close(): Promise<void>;
}

/** A JSON-safe copy of the fields (an Error becomes its name and message; anything unserialisable is dropped). */
function jsonFields(fields: Record<string, unknown>): Record<string, unknown> | null {
  if (Object.keys(fields).length === 0) return null;
  try {
    return JSON.parse(JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value))) as Record<string, unknown>;
  } catch {
    return { unserializable: true };
  }
}

/** The chain error → error.cause → …, at most 10 deep (a cycle stops it too). */
export function causeChain(error: unknown): { errorClass: string; message: string }[] {
  const chain: { errorClass: string; message: string }[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && current !== null && chain.length < 10 && !seen.has(current); ) {
    seen.add(current);
    if (current instanceof Error) {
      chain.push({ errorClass: current.name !== 'Error' ? current.name : current.constructor.name, message: current.message });
      current = current.cause;
    } else {
      chain.push({ errorClass: 'NonError', message: String(current) });
      break;
    }
  }
  return chain;
}

export function createAttemptLog(
  pool: pg.Pool,
  attemptId: number,
  options: { processLogger: Logger; onFlushed?: () => void; flushMs?: number; maxLines?: number; maxBytes?: number },
): AttemptLog {
  const maxLines = options.maxLines ?? MAX_LOG_LINES;
  const maxBytes = options.maxBytes ?? MAX_LOG_BYTES;
  let buffer: BufferedLine[] = [];
  let lines = 0;
  let bytes = 0;
  let truncated = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = async () => {
    timer = undefined;
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    try {
      await pool.query(
        `INSERT INTO step_attempt_logs (attempt_id, line, level, logged_at, message, fields)
         SELECT $1, l.line, l.level, l.logged_at, l.message, l.fields
           FROM unnest($2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[]) AS l(line, level, logged_at, message, fields)
         ON CONFLICT DO NOTHING`,
        [attemptId, batch.map((entry) => entry.line), batch.map((entry) => entry.level), batch.map((entry) => entry.at),
          batch.map((entry) => entry.message), batch.map((entry) => (entry.fields === null ? null : JSON.stringify(entry.fields)))],
      );
      options.onFlushed?.();
    } catch (error) {
      // A step attempt's outcome never depends on its log.
      options.processLogger.warn({ error: error instanceof Error ? error.message : String(error), lines: batch.length }, 'could not store attempt log lines');
    }
  };
  const schedule = () => {
    timer ??= setTimeout(() => {
      writing = writing.then(write);
    }, options.flushMs ?? LOG_FLUSH_MS);
  };

  const record = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (truncated) return;
    const stored = jsonFields(fields);
    const size = Buffer.byteLength(message) + (stored ? Buffer.byteLength(JSON.stringify(stored)) : 0);
    if (lines + 1 > maxLines || bytes + size > maxBytes) {
      truncated = true;
      lines += 1;
      buffer.push({ line: lines, level: 'warn', at: new Date(), message: TRUNCATION_MARKER, fields: null });
      schedule();
      return;
    }
    lines += 1;
    bytes += size;
    buffer.push({ line: lines, level, at: new Date(), message, fields: stored });
    schedule();
  };

  const both = (level: LogLevel) => (fields: Record<string, unknown>, message: string) => {
    options.processLogger[level](fields, message);
    record(level, message, fields);
  };

  return {
    logger: { debug: both('debug'), info: both('info'), warn: both('warn'), error: both('error') },
    record,
    recordError(error) {
      const [first, ...causes] = causeChain(error);
      if (first) record('error', `${first.errorClass}: ${first.message}`);
      for (const cause of causes) record('error', `caused by ${cause.errorClass}: ${cause.message}`);
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      writing = writing.then(write);
      await writing;
    },
    async close() {
      await this.flush();
    },
  };
}

export interface AttemptLogLine {
  line: number;
  level: string;
  loggedAt: Date;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface AttemptWithLog {
  attemptId: number;
  attemptNumber: number;
  outcome: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  lines: AttemptLogLine[];
}

/** Every attempt of a step, newest first, each with its log lines in order (one round trip). */
export async function readStepAttemptLogs(db: EngineReader, taskId: string, stepName: string): Promise<AttemptWithLog[]> {
  const { rows } = await db.query<Omit<AttemptWithLog, 'lines'> & { lines: (Omit<AttemptLogLine, 'loggedAt'> & { loggedAt: string })[] }>(
    `SELECT a.id::int AS "attemptId", a.attempt_number AS "attemptNumber", a.outcome::text AS outcome, a.started_at AS "startedAt",
            a.finished_at AS "finishedAt",
            coalesce((SELECT json_agg(json_build_object('line', l.line, 'level', l.level, 'loggedAt', l.logged_at, 'message', l.message, 'fields', l.fields)
                                      ORDER BY l.line)
                        FROM step_attempt_logs l WHERE l.attempt_id = a.id), '[]'::json) AS lines
       FROM step_attempts a
      WHERE a.task_id = $1 AND a.step_name = $2
      ORDER BY a.attempt_number DESC`,
    [taskId, stepName],
  );
  return rows.map((row) => ({ ...row, lines: row.lines.map((line) => ({ ...line, loggedAt: new Date(line.loggedAt) })) }));
}
