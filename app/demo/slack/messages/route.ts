/**
 * Messages the demo Slack sink received, newest first: GET /demo/slack/messages?limit=&before=. Viewers only:
 * they are the pipeline's real run summaries and alerts.
 */
import { demoRoute } from '@/lib/demo/demo-route';
import { parseQuery } from '@/lib/http/responses';
import { listSlackMessages, slackMessagesQuerySchema } from '@/lib/demo/slack';

export const dynamic = 'force-dynamic';

export const GET = demoRoute({
  role: 'viewer',
  parse: (request) => parseQuery(request.url, slackMessagesQuerySchema),
  handle: async (query, db) => Response.json(await listSlackMessages(db, query)),
});
