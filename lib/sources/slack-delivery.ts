/**
 * A run's message posted to each of its channels once: every delivered channel is recorded
 * (analytics.notification_deliveries, keyed by task and channel) before the next one is tried, so a retry after a
 * partial failure posts only to the channels still missing — never twice to the same one.
 */
import { z } from 'zod';
import type pg from 'pg';
import type { SlackClient } from './slack-client';
import { translatingSourceErrors } from './step-errors';

export type ChannelDeliveries = {
  channels: string[];
  delivered_now: string[];
  already_delivered: string[];
};

/** A notify step's result schema: what an operator completing it by hand must supply. */
export const channelDeliveriesSchema = z
  .object({ channels: z.array(z.string()), delivered_now: z.array(z.string()), already_delivered: z.array(z.string()) })
  .strict();

export async function postToChannelsOnce(
  pool: pg.Pool,
  slack: SlackClient,
  input: { taskId: string; channels: string[]; text: string; signal: AbortSignal },
): Promise<ChannelDeliveries> {
  const delivered = await pool.query<{ channel: string }>('SELECT channel FROM analytics.notification_deliveries WHERE task_id = $1', [input.taskId]);
  const already = new Set(delivered.rows.map((row) => row.channel));
  const deliveredNow: string[] = [];
  for (const channel of input.channels) {
    if (already.has(channel)) continue;
    await translatingSourceErrors(() => slack.send({ channel, text: input.text }, { signal: input.signal }));
    await pool.query('INSERT INTO analytics.notification_deliveries (task_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING', [input.taskId, channel]);
    deliveredNow.push(channel);
  }
  return { channels: input.channels, delivered_now: deliveredNow, already_delivered: [...already] };
}
