/**
 * The web process's one LiveHub, on the process's one LISTEN connection (lib/runtime/notifications.ts), which the
 * engine's worker and dispatcher share. Cached on globalThis so dev-mode reloads do not create a second one.
 */
import { getDb } from '@/lib/database';
import { stillHasRole } from '@/lib/auth/principal';
import type { Role } from '@/lib/auth/roles';
import { createProcessLogger } from '@/lib/runtime/logger';
import { processNotificationHub } from '@/lib/runtime/notifications';
import { createLiveHub, type LiveHub } from './hub';
import { formatSseMessage, SSE_HEARTBEAT_MS, SSE_RETRY_MS, sseHeaders } from './sse';

const globalForLive = globalThis as typeof globalThis & { nightshiftLiveHub?: LiveHub };

export function liveHub(): LiveHub {
  if (!globalForLive.nightshiftLiveHub) {
    const logger = createProcessLogger('nightshift-live');
    globalForLive.nightshiftLiveHub = createLiveHub({
      notifications: processNotificationHub(),
      pool: getDb().pool,
      onError: (message) => logger.warn({}, message),
    });
  }
  return globalForLive.nightshiftLiveHub;
}

/**
 * How often an open stream asks whether its reader may still read. The check at connect time is not enough: a
 * stream outlives sign-out, a disabled account or a revoked token unless someone looks again.
 */
export const LIVE_PRINCIPAL_RECHECK_MS = 15_000;

export interface LiveStreamOptions {
  /** Whether the principal that opened the stream still may read it; false (or an error) ends the stream. */
  stillAllowed(): Promise<boolean>;
  /** Injectable for tests; at most 30 s in production. */
  recheckMs?: number;
}

/**
 * A text/event-stream of the hub's messages for one client; unsubscribes when the client goes away, and ends
 * the stream once `stillAllowed` says no.
 */
export function liveEventStream(hub: LiveHub, signal: AbortSignal, options: LiveStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup: () => void = () => undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = hub.subscribe((message) => send(formatSseMessage(message)));
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
      const recheck = setInterval(() => {
        options.stillAllowed().then(
          (allowed) => {
            if (!allowed) onAbort();
          },
          // Fail closed: when the check cannot answer, the browser reconnects and is checked afresh.
          () => onAbort(),
        );
      }, options.recheckMs ?? LIVE_PRINCIPAL_RECHECK_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // Already closed by the runtime: nothing left to release.
        }
      };
      signal.addEventListener('abort', onAbort);
      send(`retry: ${SSE_RETRY_MS}\n\n`);
      send(formatSseMessage({ type: 'status', listening: hub.isListening() }));
    },
    cancel() {
      cleanup();
    },
  });
}

/**
 * The SSE response for a request already allowed as `role`: the process's hub, ending when the client leaves or
 * when the request's session or token no longer grants `role` (checked every `recheckMs`).
 */
export function liveStreamResponse(request: Request, role: Role, options: { hub?: LiveHub; recheckMs?: number } = {}): Response {
  const stream = liveEventStream(options.hub ?? liveHub(), request.signal, {
    stillAllowed: () => stillHasRole(request, role),
    recheckMs: options.recheckMs,
  });
  return new Response(stream, { headers: sseHeaders });
}
