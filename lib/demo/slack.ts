/**
 * The demo Slack sink: accepts what a Slack incoming webhook accepts (a JSON body, or a form field
 * `payload` holding JSON) and records each message in demo.slack_messages for the UI to show.
 */
import { desc, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/db/client';
import { slackMessages } from '@/db/schema';
import { badRequest, parseJsonText, readLimitedText, validateBody, type Parsed } from '@/lib/http/responses';
import { emptyAsMissing } from './pagination';

/** Slack's own cap on an incoming-webhook body is far above any message we send; anything larger is refused. */
export const SLACK_WEBHOOK_MAX_BYTES = 64 * 1024;

const slackObjects = (max: number) => z.array(z.record(z.string(), z.unknown())).max(max);

/**
 * The fields of a Slack incoming-webhook message. Anything else is dropped before storing (Slack ignores unknown
 * fields too), so the sink keeps a message, not whatever a caller chose to attach to it.
 */
export const slackWebhookPayloadSchema = z
  .object({
    text: z.string().max(40_000).optional(),
    channel: z.string().min(1).max(200).optional(),
    blocks: slackObjects(50).optional(),
    attachments: slackObjects(100).optional(),
    username: z.string().max(200).optional(),
    icon_emoji: z.string().max(200).optional(),
    icon_url: z.url().max(2000).optional(),
    thread_ts: z.string().max(100).optional(),
    mrkdwn: z.boolean().optional(),
    unfurl_links: z.boolean().optional(),
    unfurl_media: z.boolean().optional(),
    reply_broadcast: z.boolean().optional(),
  })
  .refine((payload) => Boolean(payload.text?.trim() || payload.blocks?.length || payload.attachments?.length), {
    message: 'no_text: a message needs text, blocks or attachments',
    path: ['text'],
  });
export type SlackWebhookPayload = z.infer<typeof slackWebhookPayloadSchema>;

export async function parseSlackWebhook(request: Request): Promise<Parsed<SlackWebhookPayload>> {
  const read = await readLimitedText(request, SLACK_WEBHOOK_MAX_BYTES);
  if (!read.ok) {
    const response = Response.json(
      { error: 'payload_too_large', issues: [{ path: '', message: `the body may be at most ${SLACK_WEBHOOK_MAX_BYTES} bytes` }] },
      { status: 413 },
    );
    return { ok: false, response };
  }
  const contentType = request.headers.get('content-type') ?? '';
  const json = contentType.includes('application/x-www-form-urlencoded') ? new URLSearchParams(read.text).get('payload') : read.text;
  if (json === null) return { ok: false, response: badRequest('invalid_payload', [{ path: 'payload', message: 'form body needs a payload field' }]) };
  const body = parseJsonText(json);
  if (!body.ok) return body;
  return validateBody(body.value, slackWebhookPayloadSchema);
}

export async function recordSlackMessage(db: Database, payload: SlackWebhookPayload): Promise<number> {
  const [row] = await db
    .insert(slackMessages)
    .values({ channel: payload.channel ?? null, text: payload.text ?? '', payload })
    .returning({ id: slackMessages.id });
  if (!row) throw new Error('insert into demo.slack_messages returned no row');
  return row.id;
}

export const slackMessagesQuerySchema = z.strictObject({
  limit: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .regex(/^\d+$/, 'limit must be a whole number from 1 to 500')
      .transform(Number)
      .pipe(z.number().int().min(1).max(500))
      .optional(),
  ),
  before: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .regex(/^[1-9]\d{0,15}$/, 'before must be a message id (a positive whole number)')
      .transform(Number)
      .optional(),
  ),
});

export interface SlackMessage {
  id: number;
  channel: string | null;
  text: string;
  payload: unknown;
  received_at: string;
}

/** Newest first; `next_before` continues with older messages, null when there are none. */
export async function listSlackMessages(
  db: Database,
  query: z.infer<typeof slackMessagesQuerySchema>,
): Promise<{ messages: SlackMessage[]; next_before: number | null }> {
  const limit = query.limit ?? 50;
  const rows = await db
    .select()
    .from(slackMessages)
    .where(query.before === undefined ? undefined : lt(slackMessages.id, query.before))
    .orderBy(desc(slackMessages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    messages: page.map((row) => ({
      id: row.id,
      channel: row.channel,
      text: row.text,
      payload: row.payload,
      received_at: row.receivedAt.toISOString(),
    })),
    next_before: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
