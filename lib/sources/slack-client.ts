/** Sends a message to a Slack incoming webhook (SLACK_WEBHOOK_URL, by default the demo sink). */
import { env, selfUrl } from '@/lib/env';
import { postJson } from './http-client';

export interface SlackMessageInput {
  text: string;
  channel?: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface SlackClient {
  send(message: SlackMessageInput, options?: { signal?: AbortSignal }): Promise<void>;
}

export function defaultSlackWebhookUrl(): string {
  return env().SLACK_WEBHOOK_URL ?? `${selfUrl()}/demo/slack/webhook`;
}

export function createSlackClient(options: { webhookUrl?: string; timeoutMs?: number } = {}): SlackClient {
  const webhookUrl = options.webhookUrl ?? defaultSlackWebhookUrl();
  return {
    async send(message, call = {}) {
      await postJson(webhookUrl, message, { source: 'slack', timeoutMs: options.timeoutMs, signal: call.signal });
    },
  };
}
