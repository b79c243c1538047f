/**
 * send_notifications: posts the run's summary to every channel in `notification_channels` through the
 * Slack-compatible webhook. Each delivered channel is recorded before the next one is tried, so a retry after
 * a partial failure posts only to the channels still missing — never twice to the same one.
 */
import type pg from 'pg';
import type { SlackClient } from '@/lib/sources/slack-client';
import { translatingSourceErrors } from '../sources';

export type NotificationsResult = {
  channels: string[];
  delivered_now: string[];
  already_delivered: string[];
};

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
  const delivered = await pool.query<{ channel: string }>(
    'SELECT channel FROM analytics.notification_deliveries WHERE task_id = $1',
    [input.taskId],
  );
  const already = new Set(delivered.rows.map((row) => row.channel));
  const text = await composeSummary(pool, input);
  const deliveredNow: string[] = [];
  for (const channel of input.channels) {
    if (already.has(channel)) continue;
    await translatingSourceErrors(() => slack.send({ channel, text }, { signal: input.signal }));
    await pool.query(
      'INSERT INTO analytics.notification_deliveries (task_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [input.taskId, channel],
    );
    deliveredNow.push(channel);
  }
  return { channels: input.channels, delivered_now: deliveredNow, already_delivered: [...already] };
}
