/**
 * notify_slack: tells the channels that the retention matrix is published, with its headline — through the same
 * once-per-channel delivery as every pipeline's Slack messages, so a retry never posts twice to one channel.
 */
import type pg from 'pg';
import { retentionHeadline, type RetentionMatrix } from '@/lib/retention/matrix';
import type { SlackClient } from '@/lib/sources/slack-client';
import { postToChannelsOnce, type ChannelDeliveries } from '@/lib/sources/slack-delivery';
import { formatMonth } from '@/lib/time/format';

/** Who hears of a new matrix: the data team, as the customer_analytics summary's default. */
export const RETENTION_CHANNELS = ['#data-team'];

export function composeRetentionMessage(input: { taskId: string; first: string; last: string; matrix: RetentionMatrix }): string {
  const span = input.first === input.last ? formatMonth(input.last) : `${formatMonth(input.first)} – ${formatMonth(input.last)}`;
  const cohorts = input.matrix.cohorts.length;
  const lines = [`Customer retention for cohorts acquired ${span} is published: ${cohorts} ${cohorts === 1 ? 'cohort' : 'cohorts'} (task ${input.taskId}).`];
  const headline = retentionHeadline(input.matrix);
  if (headline) lines.push(headline);
  return lines.join('\n');
}

export function notifyRetention(
  pool: pg.Pool,
  slack: SlackClient,
  input: { taskId: string; first: string; last: string; matrix: RetentionMatrix; signal: AbortSignal },
): Promise<ChannelDeliveries> {
  return postToChannelsOnce(pool, slack, { taskId: input.taskId, channels: RETENTION_CHANNELS, text: composeRetentionMessage(input), signal: input.signal });
}
