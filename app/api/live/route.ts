/**
 * GET /api/live — server-sent events for live views (viewer): "task X changed", "resync", listener status.
 * Every tab's stream is fed by the process's single LISTEN connection (lib/live), never one of its own, and ends
 * within LIVE_PRINCIPAL_RECHECK_MS of its session or token ending.
 */
import { withRole } from '@/lib/auth/guards';
import { liveStreamResponse } from '@/lib/live/server-hub';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', (request) => liveStreamResponse(request, 'viewer'));
