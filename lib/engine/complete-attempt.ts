/**
 * Completing attempts: records successful attempts and their results, and lets dependents and tasks move on.
 * One SQL call, nightshift_complete_steps (drizzle/0014_engine_batched_completion.sql), completes one attempt or a
 * batch of them in one transaction.
 */
import type pg from 'pg';
import { summarizeResultJson } from './events';

export interface Completion {
  attemptId: number;
  /** The result, serialized once by the worker (it also checked its size). */
  resultJson: string;
}

/** Per attempt: how many dependents became ready, or undefined when the attempt was fenced off (its outcome is void). */
export type CompletionOutcome = number | undefined;

/** Completes the attempts in one transaction; answers in the order given. */
export async function completeAttempts(pool: pg.Pool, completions: readonly Completion[]): Promise<CompletionOutcome[]> {
  const { rows } = await pool.query<{ attemptId: string; ready: number }>(
    `SELECT attempt_id AS "attemptId", ready FROM nightshift_complete_steps($1::bigint[], $2::jsonb, $3::text[])`,
    [
      completions.map((completion) => completion.attemptId),
      `[${completions.map((completion) => completion.resultJson).join(',')}]`,
      completions.map((completion) => summarizeResultJson(completion.resultJson)),
    ],
  );
  const readyByAttempt = new Map(rows.map((row) => [Number(row.attemptId), row.ready]));
  return completions.map((completion) => {
    const ready = readyByAttempt.get(completion.attemptId) ?? -1;
    return ready < 0 ? undefined : ready;
  });
}

export async function completeAttempt(pool: pg.Pool, completion: Completion): Promise<CompletionOutcome> {
  const [outcome] = await completeAttempts(pool, [completion]);
  return outcome;
}

export interface CompletionBatcher {
  complete(completion: Completion): Promise<CompletionOutcome>;
}

interface Pending extends Completion {
  resolve: (outcome: CompletionOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * A worker's completions, sent in batches: the first goes at once (after the current turn of the event loop, so
 * handlers that settled together travel together); those that finish while a call is in flight wait for it and go
 * as the next call. A lone completion — a chain's hand-off — pays no added delay. When a batch fails, its
 * completions are retried one by one, so one bad completion cannot fail its neighbours.
 */
export function createCompletionBatcher(pool: pg.Pool, options: { maxBatch?: number } = {}): CompletionBatcher {
  const maxBatch = options.maxBatch ?? 64;
  const queue: Pending[] = [];
  let sending = false;

  async function send(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await completeAttempts(pool, batch);
      batch.forEach((pending, index) => pending.resolve(outcomes[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const pending of batch) {
        await completeAttempt(pool, pending).then(pending.resolve, pending.reject);
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await send(queue.splice(0, maxBatch));
    sending = false;
  }

  return {
    complete(completion) {
      return new Promise<CompletionOutcome>((resolve, reject) => {
        queue.push({ ...completion, resolve, reject });
        if (sending) return;
        sending = true;
        setImmediate(() => void drain());
      });
    },
  };
}
