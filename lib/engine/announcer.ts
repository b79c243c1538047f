/**
 * createAnnouncer: the worker's NOTIFYs, coalesced. Every transaction that notifies is serialized by PostgreSQL
 * through its commit (a cluster-wide lock held across the WAL flush), so claims and completions do not notify
 * themselves; the worker queues what they changed — "steps became ready" counts, task ids whose events live views
 * should fetch — and sends them every `intervalMs` in one statement. A lost announcement costs latency, never
 * correctness: idle workers poll, and live views resync.
 */
import type pg from 'pg';
import { EVENTS_CHANNEL, READY_CHANNEL } from './channels';
import { describeError } from './logger';
import type { Logger } from './types';

export interface Announcer {
  /** Steps that became claimable and that this process will not claim itself. */
  ready(count: number): void;
  /** Events of this task were written. */
  taskChanged(taskId: string): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function createAnnouncer(pool: pg.Pool, options: { intervalMs?: number; logger: Logger }): Announcer {
  const intervalMs = options.intervalMs ?? 5;
  let readyCount = 0;
  const tasks = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();

  const send = async () => {
    timer = undefined;
    const channels: string[] = [];
    const payloads: string[] = [];
    if (readyCount > 0) {
      channels.push(READY_CHANNEL);
      payloads.push(String(readyCount));
    }
    for (const taskId of tasks) {
      channels.push(EVENTS_CHANNEL);
      payloads.push(taskId);
    }
    readyCount = 0;
    tasks.clear();
    if (channels.length === 0) return;
    try {
      await pool.query(`SELECT pg_notify(channel, payload) FROM unnest($1::text[], $2::text[]) AS n(channel, payload)`, [channels, payloads]);
    } catch (error) {
      options.logger.warn({ error: describeError(error) }, 'could not announce engine changes; listeners will catch up by polling');
    }
  };

  const schedule = () => {
    timer ??= setTimeout(() => {
      sending = sending.then(send);
    }, intervalMs);
  };

  return {
    ready(count) {
      if (count <= 0) return;
      readyCount += count;
      schedule();
    },
    taskChanged(taskId) {
      tasks.add(taskId);
      schedule();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        sending = sending.then(send);
      }
      await sending;
    },
    async stop() {
      await this.flush();
    },
  };
}
