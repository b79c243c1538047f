/** Demo Slack sink: POST /demo/slack/webhook, answered like a Slack incoming webhook (`ok`, text/plain). */
import { createRateLimiter } from '@/lib/http/rate-limit';
import { demoRoute } from '@/lib/demo/demo-route';
import { parseSlackWebhook, recordSlackMessage } from '@/lib/demo/slack';

export const dynamic = 'force-dynamic';

// Anyone may post here (it stands in for Slack); far above what the app's own notifications need.
const rateLimit = createRateLimiter({ limit: 120, windowMs: 60_000 });

export const POST = demoRoute({
  source: 'slack',
  rateLimit,
  parse: parseSlackWebhook,
  handle: async (payload, db) => {
    await recordSlackMessage(db, payload);
    return new Response('ok', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  },
});
