/**
 * Completing attempts: records successful attempts and their results, and lets dependents and tasks move on.
 * One SQL call, nightshift_complete_steps (drizzle/0014_engine_batched_completion.sql), completes one attempt or a
 * batch of them in one transaction; a worker's batches go through nightshift_complete_and_claim (drizzle/0023), which
 * also claims its next steps in that transaction.
 */
import type pg from 'pg';
import { summarizeResultJson } from './events';
import { CLAIMED_STEP_COLUMNS, pipelineKey, type ClaimedStep, type PipelineKey } from './claim-steps';

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

/**
 * Claiming along with a batch (drizzle/0023_engine_complete_and_claim.sql): the worker says, when the batch is sent,
 * how many steps it may take in the same transaction, and receives them before the completions' promises resolve.
 */
export interface ClaimAlong {
  /** The claim to send with a batch of `batchSize` completions, or undefined to claim nothing (e.g. stopping). */
  request(batchSize: number): ClaimRequest | undefined;
  /** What the batch's claim took, and how many steps the batch made ready. */
  claimed(steps: ClaimedStep[], request: ClaimRequest, madeReady: number): void;
  /** The batch's call failed: nothing was claimed, and nothing is known about what is ready. */
  abandoned(request: ClaimRequest): void;
}

export interface ClaimRequest {
  workerId: string;
  pipelines: readonly PipelineKey[];
  leaseMs: number;
  /** Free slots, the batch's own included. */
  limit: number;
  /** Claim up to the limit even when the batch made nothing ready (more is known or suspected to be ready). */
  any: boolean;
}

/** Per completion: how many dependents it made ready (undefined when fenced off), and whether the batch's claim already acted on that. */
export interface BatchedOutcome {
  madeReady: CompletionOutcome;
  claimedAlong: boolean;
}

export interface CompletionBatcher {
  complete(completion: Completion): Promise<BatchedOutcome>;
}

interface Pending extends Completion {
  resolve: (outcome: BatchedOutcome) => void;
  reject: (error: unknown) => void;
}

export async function completeAndClaim(
  pool: pg.Pool,
  completions: readonly Completion[],
  request: ClaimRequest,
): Promise<{ outcomes: CompletionOutcome[]; claimed: ClaimedStep[] }> {
  const { rows } = await pool.query<ClaimedStep & { completedAttemptId: string | null; ready: number | null }>(
    `SELECT completed_attempt_id AS "completedAttemptId", ready, ${CLAIMED_STEP_COLUMNS}
       FROM nightshift_complete_and_claim($1::bigint[], $2::jsonb, $3::text[], $4, $5, $6, $7, $8)`,
    [
      completions.map((completion) => completion.attemptId),
      `[${completions.map((completion) => completion.resultJson).join(',')}]`,
      completions.map((completion) => summarizeResultJson(completion.resultJson)),
      request.workerId,
      request.pipelines.map(pipelineKey),
      request.limit,
      request.any,
      request.leaseMs,
    ],
  );
  const readyByAttempt = new Map<number, number>();
  const claimed: ClaimedStep[] = [];
  for (const { completedAttemptId, ready, ...step } of rows) {
    if (completedAttemptId !== null) readyByAttempt.set(Number(completedAttemptId), ready ?? -1);
    else claimed.push(step);
  }
  const outcomes = completions.map((completion) => {
    const ready = readyByAttempt.get(completion.attemptId) ?? -1;
    return ready < 0 ? undefined : ready;
  });
  return { outcomes, claimed };
}

/**
 * A worker's completions, sent in batches: the first goes at once (after the current turn of the event loop, so
 * handlers that settled together travel together); those that finish while a call is in flight wait for it and go
 * as the next call. A lone completion — a chain's hand-off — pays no added delay. With `claimAlong`, each batch also
 * claims the worker's next steps in its transaction. When a batch fails, its completions are retried one by one
 * without a claim, so one bad completion cannot fail its neighbours.
 */
export function createCompletionBatcher(pool: pg.Pool, options: { maxBatch?: number; claimAlong?: ClaimAlong } = {}): CompletionBatcher {
  const maxBatch = options.maxBatch ?? 64;
  const queue: Pending[] = [];
  let sending = false;

  async function send(batch: Pending[]): Promise<void> {
    try {
      const request = options.claimAlong?.request(batch.length);
      if (request) {
        let result: { outcomes: CompletionOutcome[]; claimed: ClaimedStep[] };
        try {
          result = await completeAndClaim(pool, batch, request);
        } catch (error) {
          options.claimAlong?.abandoned(request);
          throw error;
        }
        const madeReady = result.outcomes.reduce<number>((sum, outcome) => sum + (outcome ?? 0), 0);
        options.claimAlong?.claimed(result.claimed, request, madeReady);
        batch.forEach((pending, index) => pending.resolve({ madeReady: result.outcomes[index], claimedAlong: true }));
        return;
      }
      const outcomes = await completeAttempts(pool, batch);
      batch.forEach((pending, index) => pending.resolve({ madeReady: outcomes[index], claimedAlong: false }));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const pending of batch) {
        await completeAttempt(pool, pending).then((madeReady) => pending.resolve({ madeReady, claimedAlong: false }), pending.reject);
      }
    }
  }

  async function drain(): Promise<void> {
    // send() settles every completion of its batch whatever happens; the finally only guards the queue itself, so an
    // unexpected throw can never leave `sending` set and every later completion waiting behind it.
    try {
      while (queue.length > 0) await send(queue.splice(0, maxBatch));
    } finally {
      sending = queue.length > 0;
      if (sending) setImmediate(() => void drain());
    }
  }

  return {
    complete(completion) {
      return new Promise<BatchedOutcome>((resolve, reject) => {
        queue.push({ ...completion, resolve, reject });
        if (sending) return;
        sending = true;
        setImmediate(() => void drain());
      });
    },
  };
}
