/**
 * send_notifications: posts the run's summary to every channel in `notification_channels` through the
 * Slack-compatible webhook, once per channel (lib/sources/slack-delivery.ts: a retry after a partial failure posts
 * only to the channels still missing — never twice to the same one).
 */
import type pg from 'pg';
import type { SlackClient } from '@/lib/sources/slack-client';
import { postToChannelsOnce, type ChannelDeliveries } from '@/lib/sources/slack-delivery';

export type NotificationsResult = ChannelDeliveries;

export interface SendNotificationsInput {
  taskId: string;
  startDate: string;
  endDate: string;
  channels: string[];
  signal: AbortSignal;
}

/**
 * The message says what really happened to the run's snapshot: on the dashboard as the default view, published
 * into the history (a backfill or an ad-hoc window), or held for review with the gate's reasons — never that the
 * dashboard is up to date when it is not.
 */
export async function composeSummary(pool: pg.Pool, input: Pick<SendNotificationsInput, 'taskId' | 'startDate' | 'endDate'>): Promise<string> {
  const [insights, snapshots] = await Promise.all([
    pool.query<{ sentence: string }>(
      `SELECT sentence FROM analytics.insights WHERE task_id = $1 AND kind IN ('kpis', 'segment_mix') ORDER BY position`,
      [input.taskId],
    ),
    pool.query<{ state: string; kind: string | null; is_current: boolean; hold_reasons: { message?: unknown }[] | null }>(
      `SELECT state, kind, is_current, hold_reasons FROM analytics.dashboard_snapshots WHERE task_id = $1`,
      [input.taskId],
    ),
  ]);
  const window = input.startDate === input.endDate ? input.startDate : `${input.startDate} – ${input.endDate}`;
  const snapshot = snapshots.rows[0];
  const sentences = insights.rows.map((row) => row.sentence);
  if (snapshot?.state === 'held') {
    const reasons = (snapshot.hold_reasons ?? []).flatMap((reason) => (typeof reason.message === 'string' ? [reason.message] : []));
    return [
      `⚠️ Customer analytics for ${window} is held for review and was NOT published (task ${input.taskId}).`,
      ...reasons,
      'The dashboard keeps showing the previous figures until an operator publishes or discards this run.',
    ].join('\n');
  }
  if (snapshot && !snapshot.is_current) {
    const what = snapshot.kind === 'backfill' ? 'a backfill' : snapshot.kind === 'ad_hoc' ? 'an ad-hoc analysis' : 'an older window';
    return [`Customer analytics for ${window} (${what}) was published into the dashboard's history; the default view is unchanged (task ${input.taskId}).`, ...sentences].join('\n');
  }
  return [`Customer analytics for ${window} is on the dashboard (task ${input.taskId}).`, ...sentences].join('\n');
}

export async function sendNotifications(pool: pg.Pool, slack: SlackClient, input: SendNotificationsInput): Promise<NotificationsResult> {
  const text = await composeSummary(pool, input);
  return postToChannelsOnce(pool, slack, { taskId: input.taskId, channels: input.channels, text, signal: input.signal });
}
