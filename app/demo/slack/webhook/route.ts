/** Demo Slack sink: POST /demo/slack/webhook, answered like a Slack incoming webhook (`ok`, text/plain). */
import { demoRoute } from '@/lib/sources/demo-route';
import { parseSlackWebhook, recordSlackMessage } from '@/lib/sources/slack';

export const dynamic = 'force-dynamic';

export const POST = demoRoute({
  source: 'slack',
  parse: parseSlackWebhook,
  handle: async (payload, db) => {
    await recordSlackMessage(db, payload);
    return new Response('ok', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  },
});
