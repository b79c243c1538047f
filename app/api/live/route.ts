/**
 * GET /api/live — server-sent events for live views (viewer): "task X changed", "resync", listener status.
 * Every tab's stream is fed by the process's single LISTEN connection (lib/live), never one of its own.
 */
import { withRole } from '@/lib/auth/guards';
import { liveEventStream, liveHub } from '@/lib/live/server-hub';
import { sseHeaders } from '@/lib/live/sse';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', (request) => new Response(liveEventStream(liveHub(), request.signal), { headers: sseHeaders }));
