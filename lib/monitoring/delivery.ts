/**
 * Sends the outbox (outbox.ts): claims due messages, posts each with a timeout, and records the outcome.
 * A retryable failure (timeout, network error, 5xx, 429) is tried again after an exponential backoff; a
 * permanent one (another 4xx) or the last allowed attempt makes it a dead letter, resent from /alerts.
 *
 * Guarantee: at least once. A message is marked delivered right after the service accepted it; only a crash
 * between the two (or a lease that ran out while the service was still answering) can send it again, which
 * PagerDuty absorbs by dedup_key. Several senders may run (each process): SKIP LOCKED and leases keep them apart.
 */
import type { DbHandle } from '@/db/client';
import { computeBackoffMs, createPollLoop, type BackoffSettings, type Logger } from '@/lib/engine';
import { SourceError } from '@/lib/sources/source-error';
import { postJson } from '@/lib/sources/http-client';
import type { PagerDutyEvent, SlackPayload } from './messages';
import { claimDueMessages, markDelivered, markFailed, type ClaimedMessage } from './outbox';
import type { PagerDutyClient } from './pagerduty-client';

export interface MessageDeliveryOptions {
  db: DbHandle;
  slackWebhookUrl: string;
  pagerDuty: PagerDutyClient;
  timeoutMs: number;
  backoff: BackoffSettings;
  maxAttempts: number;
  pollIntervalMs: number;
  logger: Logger;
  batchSize?: number;
  /** Called after each attempt (metrics). */
  onAttempt?: (target: ClaimedMessage['target'], outcome: 'delivered' | 'retry' | 'dead') => void;
}

export interface MessageDelivery {
  /** Sends what is due now; returns how many messages were attempted. */
  deliverDue(): Promise<number>;
  /** Makes a running loop look for work at once (after enqueueing in this process). */
  wake(): void;
  start(): void;
  stop(): Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createMessageDelivery(options: MessageDeliveryOptions): MessageDelivery {
  const { db, logger } = options;
  const batchSize = options.batchSize ?? 20;
  // Long enough that a sender still waiting for its answer keeps the message; short enough to recover a crash soon.
  const leaseMs = options.timeoutMs * 2 + 5_000;

  async function send(message: ClaimedMessage): Promise<void> {
    if (message.target === 'slack') {
      await postJson(options.slackWebhookUrl, message.payload as SlackPayload, { source: 'slack', timeoutMs: options.timeoutMs });
    } else {
      await options.pagerDuty.send(message.payload as PagerDutyEvent, { timeoutMs: options.timeoutMs });
    }
  }

  async function attempt(message: ClaimedMessage): Promise<void> {
    const fields = { messageId: message.id, target: message.target, destination: message.destination, attempt: message.attempts };
    try {
      await send(message);
      await markDelivered(db.pool, message.id);
      options.onAttempt?.(message.target, 'delivered');
      logger.info(fields, 'alert message delivered');
    } catch (error) {
      const retryable = error instanceof SourceError ? error.retryable : true;
      const retryAfterMs = error instanceof SourceError ? error.retryAfterMs : undefined;
      const giveUp = !retryable || message.attempts >= options.maxAttempts;
      const retryInMs = giveUp ? null : computeBackoffMs(message.attempts, options.backoff, retryAfterMs);
      await markFailed(db.pool, message.id, describe(error), retryInMs);
      options.onAttempt?.(message.target, giveUp ? 'dead' : 'retry');
      if (giveUp) logger.error({ ...fields, error: describe(error) }, 'alert message is a dead letter; resend it from /alerts');
      else logger.warn({ ...fields, error: describe(error), retryInMs }, 'alert message not delivered; will retry');
    }
  }

  async function deliverDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await claimDueMessages(db.pool, { limit: batchSize, leaseMs });
      if (batch.length === 0) return total;
      // Each claimed message heads its own ordering key, so they may go out side by side.
      await Promise.all(batch.map((message) => attempt(message)));
      total += batch.length;
    }
  }

  const loop = createPollLoop({
    name: 'alert delivery pass',
    intervalMs: options.pollIntervalMs,
    pass: async () => {
      await deliverDue();
    },
    logger,
  });

  return {
    deliverDue,
    wake: () => loop.wake(),
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
}
